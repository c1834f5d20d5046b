package nn

import (
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// TestMSEOnAView trains a model whose output is a view of a tanh's
// output (Reshape, then Flatten, which share its buffer) with the mean
// squared error, and the same model without the views: the weights must
// stay equal bit for bit. The loss's p − t must not be written into the
// tanh's output, which the tanh's gradient reads.
func TestMSEOnAView(t *testing.T) {
	build := func(views bool) *Model {
		in := Input(3)
		x := Dense(6, Tanh).Call(in)
		if views {
			x = Flatten().Call(Reshape([]int{2, 3}).Call(x))
		}
		m, err := NewModel([]*Tensor{in}, []*Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(3); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := tensor.New(tensor.WithShape(8, 3), tensor.WithBacking([]float32{
		0.1, -0.4, 0.9, 1.2, 0.3, -0.7, -0.2, 0.5, 0.8, 0.6, -1.1, 0.2,
		0.4, 0.4, -0.3, -0.9, 0.1, 0.7, 0.3, -0.6, 1.0, -0.5, 0.9, -0.1}))
	yv := make([]float32, 48)
	for i := range yv {
		yv[i] = float32(i%7)/7 - 0.4
	}
	y := tensor.New(tensor.WithShape(8, 6), tensor.WithBacking(yv))
	plain, viewed := build(false), build(true)
	for _, m := range []*Model{plain, viewed} {
		if _, err := m.Fit(x, y, train.Epochs(3), train.BatchSize(4), train.Seed(1), train.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	a := plain.Layers()[1].(*DenseLayer).Kernel().Data().([]float32)
	b := viewed.Layers()[1].(*DenseLayer).Kernel().Data().([]float32)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("kernel value %d: %v without views, %v with: the views changed training", i, a[i], b[i])
		}
	}
}
