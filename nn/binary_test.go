package nn

import (
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// TestBinaryClassifier trains a sigmoid-output model with binary
// cross-entropy (is the sum of the inputs positive?), saves and loads it,
// and checks the loaded model evaluates exactly as the trained one, with
// its loss and metric restored by name.
func TestBinaryClassifier(t *testing.T) {
	const n = 256
	x, y := make([]float32, n*3), make([]float32, n)
	for i := range x {
		x[i] = float32((i*7919)%13)/6 - 1
	}
	for i := range y {
		if x[3*i]+x[3*i+1]+x[3*i+2] > 0 {
			y[i] = 1
		}
	}
	xt := tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x))
	yt := tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
	m := built(t, NewSequential(Dense(8, Tanh, InputShape(3)), Dense(1, Sigmoid)), 1)
	if err := m.Compile(train.RMSprop(), train.BinaryCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(xt, yt, train.Epochs(30), train.BatchSize(16), train.Seed(1), train.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	loss, metrics, err := m.Evaluate(xt, yt, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if metrics[0] < 0.9 {
		t.Errorf("accuracy %.3f after 30 epochs, want ≥ 0.9", metrics[0])
	}
	got := reloaded(t, m)
	if name := got.Trainer().Objectives()[0].Loss.Name(); name != "binary_crossentropy" {
		t.Errorf("loaded loss %q", name)
	}
	gl, gm, err := got.Evaluate(xt, yt, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if gl != loss || gm[0] != metrics[0] {
		t.Errorf("loaded model: loss %v, accuracy %v; trained: %v, %v", gl, gm[0], loss, metrics[0])
	}
}
