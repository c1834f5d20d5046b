package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// firstRows returns the first n rows of a (rows, 784) set and of its
// one-hot labels.
func firstRows(t *testing.T, images, labels *tensor.Dense, n int) (*tensor.Dense, *tensor.Dense) {
	t.Helper()
	x, err := mnist.Flatten(images)
	if err != nil {
		t.Fatal(err)
	}
	y, err := train.ToCategorical(labels, 10)
	if err != nil {
		t.Fatal(err)
	}
	xs := x.Data().([]float32)[:n*784]
	ys := y.Data().([]float32)[:n*10]
	return tensor.New(tensor.WithShape(n, 784), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(ys))
}

// TestWritePlots trains a small model briefly with a validation split,
// writes the three pictures, and checks their sizes and that the printed
// confusion matrix counts every test sample and agrees with Evaluate.
func TestWritePlots(t *testing.T) {
	d, err := mnist.Load()
	if err != nil {
		t.Skip(err)
	}
	x, y := firstRows(t, d.TrainImages, d.TrainLabels, 2000)
	xt, yt := firstRows(t, d.TestImages, d.TestLabels, 1000)
	m := nn.NewSequential(nn.Dense(32, nn.ReLU, nn.InputShape(784)), nn.Dense(10, nn.Softmax))
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, train.Epochs(3), train.Seed(1), train.Verbose(0), train.ValidationSplit(0.1))
	if err != nil {
		t.Fatal(err)
	}
	_, metrics, err := m.Evaluate(xt, yt, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "plots")
	var out bytes.Buffer
	if err := writePlots(context.Background(), dir, h, m, xt, yt, &out); err != nil {
		t.Fatal(err)
	}
	for name, size := range map[string][2]int{"history.png": {1200, 500}, "confusion.png": {800, 700}, "mistakes.png": {816, 960}} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Errorf("%s is %d×%d, want %d×%d", name, b.Dx(), b.Dy(), size[0], size[1])
		}
	}
	want := fmt.Sprintf("accuracy %.4f (%d of 1000)", metrics[0], int(metrics[0]*1000+0.5))
	if !strings.Contains(out.String(), want) {
		t.Errorf("the printed matrix does not end with %q, as Evaluate's accuracy implies:\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "total ") || !strings.Contains(out.String(), " 1000\n") {
		t.Errorf("the printed matrix does not total 1000 samples:\n%s", out.String())
	}
}
