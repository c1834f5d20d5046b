package digits

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx"
)

// torchDir holds the models PyTorch exported for onnx's tests.
var torchDir = filepath.Join("..", "..", "..", "onnx", "testdata", "torch")

// TestLoadONNXFromPyTorch classifies with a classifier PyTorch exported
// (torch.onnx.export, (N, 1, 28, 28) inputs): the probabilities are
// PyTorch's for the same images, within 1e-5.
func TestLoadONNXFromPyTorch(t *testing.T) {
	c, err := Load(filepath.Join(torchDir, "classifier.onnx"), 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(torchDir, "classifier.json"))
	if err != nil {
		t.Fatal(err)
	}
	var io struct {
		Input, Output struct {
			Dims []int
			Data []float64
		}
	}
	if err := json.Unmarshal(b, &io); err != nil {
		t.Fatal(err)
	}
	var rows [][]float32
	for i := 0; i < io.Input.Dims[0]; i++ {
		row := make([]float32, Pixels)
		for j := range row {
			row[j] = float32(io.Input.Data[i*Pixels+j])
		}
		rows = append(rows, row)
	}
	answers, err := c.Classify(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range answers {
		for k, p := range a.Probabilities {
			if want := io.Output.Data[i*Classes+k]; math.Abs(float64(p)-want) > 1e-5 {
				t.Errorf("row %d class %d: %v, PyTorch %v", i, k, p, want)
			}
		}
		if len(a.Top) != 3 {
			t.Errorf("row %d: %d top classes, want 3", i, len(a.Top))
		}
	}
}

// TestLoadONNXExport classifies with the ONNX export of a gokeras model
// as with the model itself, and tells the formats by their bytes: an
// .npz named .onnx still loads as an .npz.
func TestLoadONNXExport(t *testing.T) {
	m := model(t, nn.NewSequential(nn.Conv2D(2, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)), nn.Flatten(), nn.Dense(10, nn.Softmax)), true)
	dir := t.TempDir()
	onnxPath := filepath.Join(dir, "model.onnx")
	if err := onnx.Save(m, onnxPath); err != nil {
		t.Fatal(err)
	}
	npzNamedONNX := filepath.Join(dir, "really-npz.onnx")
	if err := m.Save(npzNamedONNX); err != nil {
		t.Fatal(err)
	}
	want, err := New(m, 3)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float32, Pixels)
	for j := range row {
		row[j] = float32(j%17) / 16
	}
	w, err := want.Classify(context.Background(), [][]float32{row})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{onnxPath, npzNamedONNX} {
		c, err := Load(path, 3)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Classify(context.Background(), [][]float32{row})
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range got[0].Probabilities {
			if math.Abs(float64(p-w[0].Probabilities[k])) > 1e-6 {
				t.Errorf("%s: class %d: %v, the model itself %v", filepath.Base(path), k, p, w[0].Probabilities[k])
			}
		}
	}
}

// TestLoadONNXErrors: logits are not probabilities, and a file of
// neither format is an error naming it.
func TestLoadONNXErrors(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.npz")
	if err := os.WriteFile(junk, []byte("GIF89a not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, says string }{
		{filepath.Join(torchDir, "mlp.onnx"), "not a softmax"},
		{junk, "not an ONNX model"},
		{filepath.Join(t.TempDir(), "missing.onnx"), "no such file"},
	} {
		if _, err := Load(c.path, 3); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.path, err, c.says)
		}
	}
}
