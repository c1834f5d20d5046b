package main

import (
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/train"
)

// TestNetwork checks the residual convnet's shapes, parameter counts and
// wiring against counts made by hand.
func TestNetwork(t *testing.T) {
	m, err := network()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	// conv k·k·in·out + out, BN 4 per channel (2 of them moving statistics).
	conv := func(in, out int) int { return 9*in*out + out }
	want := map[string]int{
		"conv2d": conv(1, 32), "conv2d_1": conv(32, 32), "conv2d_2": conv(32, 32),
		"conv2d_3": conv(32, 64), "conv2d_4": conv(64, 64), "conv2d_5": conv(64, 64),
		"batch_normalization": 4 * 32, "batch_normalization_1": 4 * 32, "batch_normalization_2": 4 * 32,
		"batch_normalization_3": 4 * 64, "batch_normalization_4": 4 * 64, "batch_normalization_5": 4 * 64,
		"dense": 64*10 + 10,
	}
	total, frozen := 0, 0
	for _, l := range m.Layers() {
		n := 0
		for _, p := range l.Params() {
			n += p.Value.Size()
			if !p.Trainable {
				frozen += p.Value.Size()
			}
		}
		if n != want[l.Name()] {
			t.Errorf("%s has %d parameters, want %d", l.Name(), n, want[l.Name()])
		}
		total += n
	}
	if total != 112970 || frozen != 2*(3*32+3*64) {
		t.Errorf("%d parameters, %d not trainable; want 112970 and %d", total, frozen, 2*(3*32+3*64))
	}
	// Each residual block adds its input (the pooled stem, then the
	// strided convolution's activation) to its last batch normalisation.
	adds := map[string][2]string{
		"add":   {"max_pooling2d", "batch_normalization_2"},
		"add_1": {"activation_3", "batch_normalization_5"},
	}
	for x := m.Outputs()[0]; len(x.Inputs()) > 0; x = x.Inputs()[0] {
		if want, ok := adds[x.Layer().Name()]; ok {
			in := x.Inputs()
			if len(in) != 2 || in[0].Layer().Name() != want[0] || in[1].Layer().Name() != want[1] {
				t.Errorf("%s adds the wrong tensors, want %v", x.Layer().Name(), want)
			}
			delete(adds, x.Layer().Name())
		}
	}
	if len(adds) != 0 {
		t.Errorf("no path from the output through %v", adds)
	}
	if s := m.OutputShape(); len(s) != 1 || s[0] != 10 {
		t.Errorf("output shape %v, want [10]", s)
	}
}

// TestLearns trains the network on the first 1024 Fashion-MNIST images and
// checks that it learns: the loss falls every epoch and the last epoch's
// accuracy is well above chance (0.1). Skipped without the data set.
func TestLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a convnet: skipped with -short")
	}
	data, err := mnist.LoadFashion()
	if err != nil {
		t.Skipf("no Fashion-MNIST (apt-get install dataset-fashion-mnist): %v", err)
	}
	head(data, 1024)
	if n := data.TrainImages.Shape()[0]; n != 1024 {
		t.Fatalf("head kept %d training images, want 1024", n)
	}
	x, _, err := data.Convert(mnist.Images)
	if err != nil {
		t.Fatal(err)
	}
	y, err := train.ToCategorical(data.TrainLabels, 10)
	if err != nil {
		t.Fatal(err)
	}
	m, err := network()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.Adam(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, train.Epochs(3), train.BatchSize(64), train.Seed(1), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, acc := h.Values["loss"], h.Values["accuracy"]
	for i := 1; i < len(loss); i++ {
		if loss[i] >= loss[i-1] {
			t.Errorf("loss rose from epoch %d to %d: %v", i, i+1, loss)
		}
	}
	if acc[len(acc)-1] < 0.6 {
		t.Errorf("accuracy %v after 3 epochs on 1024 images, want above 0.6", acc)
	}
}
