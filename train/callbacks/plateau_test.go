package callbacks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
)

func TestReduceLROnPlateau(t *testing.T) {
	r := NewReduceLROnPlateau()
	if r.Monitor != "val_loss" || r.Factor != 0.1 || r.Patience != 10 || r.Mode != "auto" || r.MinDelta != 1e-4 || r.Cooldown != 0 || r.MinLR != 0 {
		t.Errorf("defaults %+v", r)
	}
	r.Factor, r.Patience, r.Cooldown, r.MinLR, r.Verbose = 0.5, 2, 1, 0.2, 1
	opt := train.SGD()
	opt.LearningRate = 1
	tr, err := train.Compile(newSoftmaxRegression(4, 3, 1), opt, train.CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.Output = &out
	if err := r.OnTrainBegin(tr); err != nil {
		t.Fatal(err)
	}
	// A plateau from epoch 0: reduced at 2 (patience), the cooldown
	// takes epoch 3, reduced at 4, then to min_lr at 6, then no more.
	want := []float32{1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2}
	for e, w := range want {
		logs := train.Logs{"val_loss": 1}
		if err := r.OnEpochEnd(tr, e, logs); err != nil {
			t.Fatal(err)
		}
		if got := learningRate(opt); got != w {
			t.Errorf("after epoch %d: rate %v, want %v", e, got, w)
		}
		if e == 2 && logs["learning_rate"] != 1 {
			t.Errorf("logs' learning_rate %v, want the rate before the reduction", logs["learning_rate"])
		}
	}
	if !strings.HasPrefix(out.String(), "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.5.\nEpoch 5: ReduceLROnPlateau reducing learning rate to 0.25.\nEpoch 7: ReduceLROnPlateau reducing learning rate to 0.2.\n") {
		t.Errorf("output %q", out.String())
	}
	// An improvement beyond min_delta resets the wait.
	r = NewReduceLROnPlateau()
	r.Patience = 1
	_ = opt.SetLearningRate(1)
	if err := r.OnTrainBegin(tr); err != nil {
		t.Fatal(err)
	}
	for e, v := range []float64{1, 0.5, 0.49995} {
		if err := r.OnEpochEnd(tr, e, train.Logs{"val_loss": v}); err != nil {
			t.Fatal(err)
		}
	}
	if got := learningRate(opt); got != 0.1 {
		t.Errorf("after a change below min_delta: rate %v, want 0.1", got)
	}
	for _, f := range []float64{1, 0, -0.5} {
		r := NewReduceLROnPlateau()
		r.Factor = f
		if err := r.OnTrainBegin(tr); err == nil {
			t.Errorf("factor %v accepted", f)
		}
	}
}
