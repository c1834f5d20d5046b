package nn

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// cholletConvnet is the first convnet of Chollet's book, for MNIST.
func cholletConvnet() *Sequential {
	return NewSequential(
		Conv2D(32, [2]int{3, 3}, ReLU, InputShape(28, 28, 1)),
		MaxPooling2D([2]int{2, 2}),
		Conv2D(64, [2]int{3, 3}, ReLU),
		MaxPooling2D([2]int{2, 2}),
		Conv2D(64, [2]int{3, 3}, ReLU),
		Flatten(),
		Dense(64, ReLU),
		Dense(10, Softmax),
	)
}

func TestConvnetSummaryMatchesKeras(t *testing.T) {
	// Keras 2's model.summary() for the network, spaces and all.
	want := `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              (None, 26, 26, 32)        320       
_________________________________________________________________
max_pooling2d (MaxPooling2D) (None, 13, 13, 32)        0         
_________________________________________________________________
conv2d_1 (Conv2D)            (None, 11, 11, 64)        18496     
_________________________________________________________________
max_pooling2d_1 (MaxPooling2 (None, 5, 5, 64)          0         
_________________________________________________________________
conv2d_2 (Conv2D)            (None, 3, 3, 64)          36928     
_________________________________________________________________
flatten (Flatten)            (None, 576)               0         
_________________________________________________________________
dense (Dense)                (None, 64)                36928     
_________________________________________________________________
dense_1 (Dense)              (None, 10)                650       
=================================================================
Total params: 93,322
Trainable params: 93,322
Non-trainable params: 0
_________________________________________________________________
`
	if got := cholletConvnet().Summary(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLayerNamesAndDropoutSummary(t *testing.T) {
	m := NewSequential(
		Dense(8, ReLU, InputShape(4)),
		Dropout(0.5),
		Dense(8, ReLU, Name("hidden")),
		Dropout(0.25),
		Dense(3, Softmax),
	)
	s := m.Summary()
	for _, want := range []string{"dense (Dense)", "dropout (Dropout)", "hidden (Dense)", "dropout_1 (Dropout)", "dense_1 (Dense)", "(None, 8)                 0"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestLayerErrors(t *testing.T) {
	img := InputShape(8, 8, 1)
	tests := []struct {
		name string
		m    *Sequential
		want string
	}{
		{"conv on flat input", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, InputShape(64)), Flatten(), Dense(2, Softmax)),
			"layer 0 (conv2d): a Conv2D layer takes (height, width, channels) images, but its input samples have shape (64)"},
		{"kernel larger than input", NewSequential(Conv2D(4, [2]int{9, 3}, ReLU, img), Flatten(), Dense(2, Softmax)), "layer 0 (conv2d): a 9×3 kernel on (8, 8, 1) images"},
		{"pool leaves nothing", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, img), MaxPooling2D([2]int{7, 7}), Flatten(), Dense(2, Softmax)), "layer 1 (max_pooling2d): a 7×7 pool on (6, 6, 4) images leaves nothing"},
		{"filters 0", NewSequential(Conv2D(0, [2]int{3, 3}, ReLU, img), Flatten(), Dense(2, Softmax)), "layer 0 (conv2d): filters must be positive, got 0"},
		{"kernel 0", NewSequential(Conv2D(2, [2]int{0, 3}, ReLU, img), Flatten(), Dense(2, Softmax)), "kernel size must be positive"},
		{"strides 0", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img, Strides(0, 1)), Flatten(), Dense(2, Softmax)), "layer 0 (conv2d): strides must be positive, got (0, 1)"},
		{"pool strides", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img), MaxPooling2D([2]int{2, 2}, Strides(1, -1)), Flatten(), Dense(2, Softmax)), "layer 1 (max_pooling2d): strides must be positive"},
		{"unknown padding", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img, Padding("full")), Flatten(), Dense(2, Softmax)), "layer 0 (conv2d): "},
		{"pool 0", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img), MaxPooling2D([2]int{0, 2}), Flatten(), Dense(2, Softmax)), "layer 1 (max_pooling2d): pool size must be positive"},
		{"rate 1", NewSequential(Dense(3, ReLU, InputShape(2)), Dropout(1), Dense(2, Softmax)), "layer 1 (dropout): rate must be in [0, 1), got 1"},
		{"rate negative", NewSequential(Dense(3, ReLU, InputShape(2)), Dropout(-0.1), Dense(2, Softmax)), "layer 1 (dropout): rate must be in [0, 1)"},
		{"dense on images", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img), Dense(2, Softmax)), "layer 1 (dense): a Dense layer takes vectors, but its input samples have shape (6, 6, 2): put a Flatten layer before it"},
		{"strides on dense", NewSequential(Dense(3, ReLU, InputShape(2), Strides(2, 2))), "layer 0 (dense): a Dense layer takes no strides"},
		{"softmax on images", NewSequential(Conv2D(2, [2]int{3, 3}, Softmax, img), Flatten(), Dense(2, Softmax)), "layer 0 (conv2d): softmax needs vector outputs"},
		{"images out", NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, img)), "the last layer gives samples of shape (6, 6, 2)"},
		{"nil layer", NewSequential(Dense(3, ReLU, InputShape(2)), nil), "layer 1 is nil"},
	}
	for _, tc := range tests {
		err := tc.m.Compile(train.RMSprop(), train.CategoricalCrossentropy())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestAddAfterBuild is the panic a new user met: a layer added after
// Build (or Compile) was never built, and Fit, Evaluate and Predict
// indexed its missing weights. Add refuses now, and the model works on
// as it was.
func TestAddAfterBuild(t *testing.T) {
	for _, after := range []string{"Build", "Compile"} {
		m := NewSequential(Dense(3, ReLU, InputShape(2)), Dense(2, Softmax))
		var err error
		if after == "Build" {
			err = m.Build(1)
		} else {
			err = m.Compile(train.RMSprop(), train.CategoricalCrossentropy())
		}
		if err != nil {
			t.Fatal(err)
		}
		err = m.Add(Dense(4, Softmax, Name("late")))
		if err == nil || !strings.Contains(err.Error(), "add: layer late (Dense) cannot be added: the model is built already") {
			t.Errorf("Add after %s: %v", after, err)
		}
		if got := len(m.Layers()); got != 2 {
			t.Errorf("after a refused Add the model has %d layers, want 2", got)
		}
		if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy()); err != nil {
			t.Fatal(err)
		}
		x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6, 7, 8}))
		y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 0, 0, 1, 1, 0, 0, 1}))
		if _, err := m.Fit(x, y, train.Verbose(0)); err != nil {
			t.Errorf("Fit after a refused Add: %v", err)
		}
		if _, _, err := m.Evaluate(x, y, train.Verbose(0)); err != nil {
			t.Errorf("Evaluate after a refused Add: %v", err)
		}
		if p, err := m.Predict(x, train.Verbose(0)); err != nil || !slices.Equal(p.Shape(), tensor.Shape{4, 2}) {
			t.Errorf("Predict after a refused Add: %v %v", p, err)
		}
		if err := m.Save(filepath.Join(t.TempDir(), "m.npz")); err != nil {
			t.Errorf("Save after a refused Add: %v", err)
		}
	}
}

// TestShortConvnetRun trains Chollet's convnet for one epoch (47 steps) on
// the first 3,000 training images and checks it classifies 75% of the
// first 2,000 test images. PyTorch, on the same job with the same
// initialisation and optimizer, reaches 0.653 training accuracy and 0.796
// on those test images; gokeras 0.666 and 0.775.
func TestShortConvnetRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on real data")
	}
	d, err := mnist.Load()
	if err != nil {
		t.Fatal(err)
	}
	x, y := firstImages(t, d.TrainImages, d.TrainLabels, 3000, mnist.Images)
	xt, yt := firstImages(t, d.TestImages, d.TestLabels, 2000, mnist.Images)
	m := cholletConvnet()
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, train.Epochs(1), train.BatchSize(64), train.Seed(1), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, metrics, err := m.Evaluate(xt, yt, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("train loss %.4f accuracy %.4f; test loss %.4f accuracy %.4f", h.Values["loss"][0], h.Values["accuracy"][0], loss, metrics[0])
	if metrics[0] < 0.75 {
		t.Errorf("test accuracy %.4f after one epoch on 3,000 images, want ≥ 0.75", metrics[0])
	}
}
