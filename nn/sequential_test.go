package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

func lessonModel() *Sequential {
	return NewSequential(
		Dense(512, ReLU, InputShape(28*28)),
		Dense(10, Softmax),
	)
}

func TestSummaryMatchesKeras(t *testing.T) {
	// Keras 2's model.summary() for the lesson's network, spaces and all.
	want := `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 512)               401920    
_________________________________________________________________
dense_1 (Dense)              (None, 10)                5130      
=================================================================
Total params: 407,050
Trainable params: 407,050
Non-trainable params: 0
_________________________________________________________________
`
	if got := lessonModel().Summary(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Summary does not build: Build(seed) still works after it.
	m := lessonModel()
	_ = m.Summary()
	if err := m.Build(7); err != nil {
		t.Errorf("Build after Summary: %v", err)
	}
	if got := NewSequential(Dense(0, ReLU, InputShape(3))).Summary(); !strings.Contains(got, "units must be positive") {
		t.Errorf("summary of a bad model: %q", got)
	}
	if commas(1234567) != "1,234,567" || commas(999) != "999" {
		t.Errorf("commas: %s %s", commas(1234567), commas(999))
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		m    *Sequential
		want string
	}{
		{"empty", NewSequential(), "no layers"},
		{"no input shape", NewSequential(Dense(3, ReLU)), "input shape"},
		{"no units", NewSequential(Dense(3, ReLU, InputShape(2)), Dense(0, Softmax)), "layer 1 (dense_1): units must be positive"},
		{"shape clash", NewSequential(Dense(3, ReLU, InputShape(2)), Dense(2, Softmax, InputShape(4))), "input shape (4) does not match the (3) the previous layer gives"},
	}
	for _, tc := range tests {
		err := tc.m.Compile(train.RMSprop(), train.CategoricalCrossentropy())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	m := lessonModel()
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(1); err == nil {
		t.Error("building twice: want an error")
	}
}

func TestUseBeforeCompile(t *testing.T) {
	m := lessonModel()
	x := tensor.New(tensor.WithShape(1, 784), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(1, 10), tensor.Of(tensor.Float32))
	if _, err := m.Fit(x, y); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("Fit: %v", err)
	}
	if _, _, err := m.Evaluate(x, y); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("Evaluate: %v", err)
	}
	if _, err := m.Predict(x); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("Predict: %v", err)
	}
}

func TestBuildIsSeeded(t *testing.T) {
	a, b, c := lessonModel(), lessonModel(), lessonModel()
	_ = a.Build(1)
	_ = b.Build(1)
	_ = c.Build(2)
	ka, kb, kc := a.Layers()[0].Params()[0].Value.Float32s(), b.Layers()[0].Params()[0].Value.Float32s(), c.Layers()[0].Params()[0].Value.Float32s()
	for i := range ka {
		if ka[i] != kb[i] {
			t.Fatalf("same seed, kernels differ at %d", i)
		}
	}
	if ka[0] == kc[0] && ka[1] == kc[1] {
		t.Error("different seeds, same kernel")
	}
	limit := math.Sqrt(6.0 / (784 + 512))
	for _, v := range ka {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("kernel value %v outside the Glorot limit %v", v, limit)
		}
	}
	for _, v := range a.Layers()[0].Params()[1].Value.Float32s() {
		if v != 0 {
			t.Fatal("bias not zero")
		}
	}
}

// TestShortMNISTRun trains the lesson's model for two epochs (94 steps) on the first
// 6,000 training images and checks it reaches 90% on the 10,000 test images.
func TestShortMNISTRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on real data")
	}
	d, err := mnist.Load()
	if err != nil {
		t.Fatal(err)
	}
	x, y := firstImages(t, d.TrainImages, d.TrainLabels, 6000, mnist.Flatten)
	xt, yt := firstImages(t, d.TestImages, d.TestLabels, 10000, mnist.Flatten)
	m := lessonModel()
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, train.Epochs(2), train.BatchSize(128), train.Seed(1), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, metrics, err := m.Evaluate(xt, yt, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("last epoch: train loss %.4f accuracy %.4f; test loss %.4f accuracy %.4f", h.Values["loss"][1], h.Values["accuracy"][1], loss, metrics[0])
	if metrics[0] < 0.90 {
		t.Errorf("test accuracy %.4f after two epochs on 6,000 images, want ≥ 0.90", metrics[0])
	}
}

// firstImages returns the first n images of a set, prepared by prep
// (mnist.Flatten or mnist.Images), and their labels one-hot.
func firstImages(t *testing.T, images, labels *tensor.Dense, n int, prep func(*tensor.Dense) (*tensor.Dense, error)) (*tensor.Dense, *tensor.Dense) {
	t.Helper()
	im := tensor.New(tensor.WithShape(n, 28, 28), tensor.WithBacking(images.Data().([]uint8)[:n*784]))
	x, err := prep(im)
	if err != nil {
		t.Fatal(err)
	}
	y, err := train.ToCategorical(tensor.New(tensor.WithShape(n), tensor.WithBacking(labels.Data().([]uint8)[:n])), 10)
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}
