package callbacks

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// TestTerminateOnNaN trains a linear regression with a learning rate so
// large that it diverges: training stops at the first batch whose loss
// is infinite or NaN, Fit returns normally with that epoch's History.
func TestTerminateOnNaN(t *testing.T) {
	x, _ := blobs(64, 4, 1)
	yd := make([]float32, 64)
	for i := range yd {
		yd[i] = float32(i % 5)
	}
	y := tensor.New(tensor.WithShape(64, 1), tensor.WithBacking(yd))
	run := func(cbs ...train.Callback) ([]float64, *train.History, string) {
		opt := train.SGD()
		opt.LearningRate = 0.5
		tr, err := train.Compile(newLinear(4, 1, 1), opt, train.MeanSquaredError())
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		rec := &batchRecorder{f: func(_ int, l train.Logs) { losses = append(losses, l["loss"]) }}
		var out bytes.Buffer
		h, err := tr.Fit(x, y, train.Epochs(3), train.BatchSize(2), train.Verbose(0), train.Output(&out), train.Callbacks(append([]train.Callback{rec}, cbs...)...))
		if err != nil {
			t.Fatal(err)
		}
		return losses, h, out.String()
	}
	all, _, _ := run()
	first := -1
	for i, l := range all {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			first = i
			break
		}
	}
	if first <= 0 || first >= 31 {
		t.Fatalf("the run does not diverge in its first epoch after batch 0: %v", all)
	}
	losses, h, out := run(TerminateOnNaN{})
	if len(losses) != first+1 || len(h.Epochs) != 1 {
		t.Errorf("ran %d batches and %d epochs; want %d and 1", len(losses), len(h.Epochs), first+1)
	}
	if want := fmt.Sprintf("Batch %d: Invalid loss, terminating training\n", first); out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}
