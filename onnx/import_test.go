package onnx

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// compiled compiles m for Predict.
func compiled(t *testing.T, m *nn.Model) *nn.Model {
	t.Helper()
	if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	return m
}

// maxDiff returns the largest |a − b| of two float32 tensors of one shape.
func maxDiff(t *testing.T, a, b *tensor.Dense) float64 {
	t.Helper()
	if !equalInts(a.Shape(), b.Shape()) {
		t.Fatalf("shapes %v and %v", a.Shape(), b.Shape())
	}
	worst := 0.0
	bv := b.Data().([]float32)
	for i, v := range a.Data().([]float32) {
		d := math.Abs(float64(v) - float64(bv[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// TestImportExportRoundTrip imports what Export wrote for each export
// case: the same layers come back, no Permute added (the exporter's
// transposes cancel the importer's), and Predict gives the original's
// outputs.
func TestImportExportRoundTrip(t *testing.T) {
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.model(t)
			b, err := Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			kinds := func(m *nn.Model) map[string]int {
				k := map[string]int{}
				for _, l := range m.Layers() {
					k[l.Kind()]++
				}
				return k
			}
			want, got := kinds(m), kinds(back)
			for k, n := range want {
				if k == "Dropout" || k == "Activation" {
					continue // dropout is exported as nothing; activations may fuse
				}
				if got[k] != n {
					t.Errorf("%d %s layers back, want %d (all: %v, original %v)", got[k], k, n, got, want)
				}
			}
			if got["Permute"] != want["Permute"] {
				t.Errorf("%d Permute layers back, want %d", got["Permute"], want["Permute"])
			}
			xs := inputsFor(m, 4)
			ys, err := compiled(t, m).PredictMulti(t.Context(), xs, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			zs, err := compiled(t, back).PredictMulti(t.Context(), xs, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			for i := range ys {
				if d := maxDiff(t, ys[i], zs[i]); d > 1e-6 {
					t.Errorf("output %d: the imported model differs by up to %.3g", i, d)
				}
			}
		})
	}
}

// torchCase is a model PyTorch exported (testdata/torch/make.py), with a
// batch of inputs and PyTorch's outputs for them.
type torchCase struct {
	model       *nn.Model
	x, want     *tensor.Dense
	path        string
	input, outp ortTensor
}

// loadTorch reads testdata/torch/NAME.onnx and NAME.json.
func loadTorch(t *testing.T, name string) torchCase {
	t.Helper()
	path := filepath.Join("testdata", "torch", name+".onnx")
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "torch", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var io struct{ Input, Output ortTensor }
	if err := json.Unmarshal(b, &io); err != nil {
		t.Fatal(err)
	}
	dense := func(o ortTensor) *tensor.Dense {
		v := make([]float32, len(o.Data))
		for i, f := range o.Data {
			v[i] = float32(f)
		}
		return tensor.New(tensor.WithShape(o.Dims...), tensor.WithBacking(v))
	}
	io.Input.Name = "input"
	return torchCase{model: m, x: dense(io.Input), want: dense(io.Output), path: path, input: io.Input, outp: io.Output}
}

var torchModels = []string{"mlp", "convnet", "convnet_opset9", "resnet", "classifier"}

// TestImportTorch imports the models PyTorch exported and checks that
// Predict gives PyTorch's outputs (within 2e-5) and ONNX Runtime's
// (within 1e-5) on the same inputs, in ONNX's (N, C, H, W) layout.
func TestImportTorch(t *testing.T) {
	for _, name := range torchModels {
		t.Run(name, func(t *testing.T) {
			c := loadTorch(t, name)
			got, err := compiled(t, c.model).Predict(c.x, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			d := maxDiff(t, got, c.want)
			t.Logf("%s: max |Predict − PyTorch| = %.3g", name, d)
			if d > 2e-5 {
				t.Errorf("Predict differs from PyTorch by up to %.3g", d)
			}
			outs := runORT(t, c.path, []ortTensor{c.input})
			worst := 0.0
			for j, v := range got.Data().([]float32) {
				worst = math.Max(worst, math.Abs(outs[0].Data[j]-float64(v)))
			}
			t.Logf("%s: max |Predict − ONNX Runtime| = %.3g", name, worst)
			if worst > 1e-5 {
				t.Errorf("Predict differs from ONNX Runtime by up to %.3g", worst)
			}
		})
	}
}

// TestImportTorchLayers checks what the PyTorch models become: a
// ZeroPadding2D before the stride-2 convolution PyTorch pads 1 all
// round, the Conv+ReLU, Conv+sigmoid and Linear+ReLU fused, one Permute before the
// Flatten of channels-first images and none where the flattened images
// are 1×1.
func TestImportTorchLayers(t *testing.T) {
	count := func(m *nn.Model) map[string]int {
		k := map[string]int{}
		for _, l := range m.Layers() {
			k[l.Kind()]++
		}
		return k
	}
	cases := []struct {
		name string
		want map[string]int
	}{
		{"mlp", map[string]int{"Dense": 2, "Permute": 0, "Activation": 0, "Flatten": 1, "BatchNormalization": 1}},
		{"convnet", map[string]int{"Conv2D": 2, "ZeroPadding2D": 1, "Permute": 1, "BatchNormalization": 1, "Dense": 1}},
		{"resnet", map[string]int{"Permute": 0, "ConstantOp": 2, "BatchNormalization": 1, "Conv2D": 6, "Activation": 1, "Concatenate": 1, "Add": 1, "Multiply": 1, "GlobalAveragePooling2D": 1}},
	}
	for _, c := range cases {
		got := count(loadTorch(t, c.name).model)
		for k, n := range c.want {
			if got[k] != n {
				t.Errorf("%s: %d %s layers, want %d (all: %v)", c.name, got[k], k, n, got)
			}
		}
	}
}

// TestImportFineTuneSave fine-tunes an imported PyTorch classifier on
// labels of its own making (a shifted argmax): the loss falls, the
// accuracy rises, and the model saved as .npz loads and predicts the
// same.
func TestImportFineTuneSave(t *testing.T) {
	c := loadTorch(t, "classifier")
	m := c.model
	if err := m.Compile(train.Adam(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	n := 64
	x := make([]float32, n*28*28)
	for i := range x {
		x[i] = float32((i*7919)%1000) / 1000
	}
	xs := tensor.New(tensor.WithShape(n, 1, 28, 28), tensor.WithBacking(x))
	p, err := m.Predict(xs, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, n*10)
	pv := p.Data().([]float32)
	for i := 0; i < n; i++ {
		best := 0
		for k := range 10 {
			if pv[i*10+k] > pv[i*10+best] {
				best = k
			}
		}
		y[i*10+(best+1)%10] = 1
	}
	ys := tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(y))
	h, err := m.Fit(xs, ys, train.Epochs(8), train.BatchSize(16), train.Seed(1), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, acc := h.Values["loss"], h.Values["accuracy"]
	t.Logf("fine-tuning: loss %.4f → %.4f, accuracy %.3f → %.3f", loss[0], loss[len(loss)-1], acc[0], acc[len(acc)-1])
	if !(loss[len(loss)-1] < loss[0]/3) || !(acc[len(acc)-1] > 0.8) {
		t.Errorf("fine-tuning did not learn: loss %v, accuracy %v", loss, acc)
	}
	path := filepath.Join(t.TempDir(), "tuned.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := nn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Predict(xs, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := back.Predict(xs, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, a, b); d != 0 {
		t.Errorf("the loaded model predicts up to %.3g away from the saved one", d)
	}
}

// TestImportErrors checks that what Import cannot read is an error
// naming the node, the operator and what is wrong.
func TestImportErrors(t *testing.T) {
	for _, c := range importErrorCases() {
		t.Run(c.name, func(t *testing.T) {
			_, err := Unmarshal(c.model())
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
