package callbacks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
)

func TestLearningRateScheduler(t *testing.T) {
	x, y := blobs(20, 4, 1)
	opt := train.SGD()
	opt.LearningRate = 0.1
	tr, err := train.Compile(newSoftmaxRegression(4, 3, 1), opt, train.CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	var rates []float32
	rec := &rateRecorder{f: func(tr *train.Trainer) { rates = append(rates, learningRate(tr.Optimizer())) }}
	var out bytes.Buffer
	sched := LearningRateScheduler{Verbose: 1, Schedule: func(e int, lr float32) float32 {
		if e == 0 {
			return lr
		}
		return lr / 2
	}}
	h, err := tr.Fit(x, y, train.Epochs(3), train.Verbose(0), train.Output(&out), train.Callbacks(sched, rec))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0.1, 0.05, 0.025}
	for i, r := range want {
		if rates[i] != r || h.Values["learning_rate"][i] != float64(r) {
			t.Errorf("epoch %d: rate %v, History %v; want %v", i+1, rates[i], h.Values["learning_rate"][i], r)
		}
	}
	if strings.Join(h.Names, ",") != "loss,learning_rate" {
		t.Errorf("names %v", h.Names)
	}
	if !strings.Contains(out.String(), "Epoch 2: LearningRateScheduler setting learning rate to 0.05000000074505806.\n") {
		t.Errorf("output %q", out.String())
	}
	bad := LearningRateScheduler{Schedule: func(e int, lr float32) float32 {
		if e == 0 {
			return lr
		}
		return 0
	}}
	if _, err := tr.Fit(x, y, train.Epochs(5), train.Verbose(0), train.Callbacks(bad)); err == nil || !strings.Contains(err.Error(), "the schedule's rate for epoch 2") {
		t.Errorf("a schedule reaching 0: %v", err)
	}
}
