package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/examples/internal/digits"
	"github.com/gokeras/gokeras/examples/internal/digitstest"
	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/onnx"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// TestServeFineTunedPyTorchModel imports a digit classifier PyTorch
// exported untrained (onnx/testdata/torch/classifier.onnx: a convolution,
// a max pool and two linear layers on (N, 1, 28, 28) images), fine-tunes
// it on 2,000 MNIST training digits, saves it as .npz, serves that, and
// checks the answers: the probabilities Predict gives, and most of 300
// test digits right where the untrained model got about a tenth.
func TestServeFineTunedPyTorchModel(t *testing.T) {
	const tests = 300
	f := digitstest.Get(t, tests)
	m, err := onnx.Load(filepath.Join("..", "..", "onnx", "testdata", "torch", "classifier.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.Adam(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	d, err := mnist.Load()
	if err != nil {
		t.Fatal(err)
	}
	const rows = 2000
	x := make([]float32, rows*digits.Pixels)
	for i, v := range d.TrainImages.Data().([]uint8)[:len(x)] {
		x[i] = float32(v) / 255
	}
	y := make([]float32, rows*10)
	for i, l := range d.TrainLabels.Data().([]uint8)[:rows] {
		y[i*10+int(l)] = 1
	}
	tx := make([]float32, 0, tests*digits.Pixels)
	ty := make([]float32, tests*10)
	for i := 0; i < tests; i++ {
		for _, v := range f.Images[i] {
			tx = append(tx, float32(v)/255)
		}
		ty[i*10+f.Labels[i]] = 1
	}
	xTest := tensor.New(tensor.WithShape(tests, 1, 28, 28), tensor.WithBacking(tx))
	yTest := tensor.New(tensor.WithShape(tests, 10), tensor.WithBacking(ty))
	_, before, err := m.Evaluate(xTest, yTest, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(tensor.New(tensor.WithShape(rows, 1, 28, 28), tensor.WithBacking(x)), tensor.New(tensor.WithShape(rows, 10), tensor.WithBacking(y)),
		train.Epochs(3), train.BatchSize(32), train.Seed(1), train.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	_, after, err := m.Evaluate(xTest, yTest, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("accuracy on %d test digits: %.3f imported, %.3f fine-tuned", tests, before[0], after[0])
	if !(before[0] < 0.3 && after[0] > 0.85) {
		t.Errorf("accuracy %.3f before fine-tuning, %.3f after: want below 0.3, then above 0.85", before[0], after[0])
	}
	path := filepath.Join(t.TempDir(), "tuned.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	c, err := digits.Load(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(newServer(c, log.New(io.Discard, "", 0)).handler())
	defer ts.Close()
	var req rowsRequest
	for i := 0; i < 3; i++ {
		req.Rows = append(req.Rows, tx[i*digits.Pixels:(i+1)*digits.Pixels])
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	got, status, err := post(ts.Client(), ts.URL, request{contentType: "application/json", body: body})
	if err != nil || status != 200 {
		t.Fatalf("POST /predict: status %d, %v", status, err)
	}
	p, err := m.Predict(tensor.New(tensor.WithShape(3, 1, 28, 28), tensor.WithBacking(append([]float32(nil), tx[:3*digits.Pixels]...))), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := p.Data().([]float32)
	for i, a := range got.Predictions {
		for k, v := range a.Probabilities {
			if v != want[i*10+k] {
				t.Errorf("row %d class %d: served %v, Predict %v", i, k, v, want[i*10+k])
			}
		}
	}
	if len(got.Predictions) != 3 {
		t.Errorf("%d predictions for 3 rows", len(got.Predictions))
	}
}
