package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// hookRecorder records the hooks called, as "Name(arg)", and calls
// epochEnd, if set, at each epoch's end.
type hookRecorder struct {
	calls    []string
	epochEnd func(*Trainer, int, Logs)
}

func (r *hookRecorder) add(f string, a ...any) error {
	r.calls = append(r.calls, fmt.Sprintf(f, a...))
	return nil
}
func (r *hookRecorder) OnTrainBegin(*Trainer) error { return r.add("TrainBegin") }
func (r *hookRecorder) OnTrainEnd(_ *Trainer, l Logs) error {
	return r.add("TrainEnd(%d)", len(l))
}
func (r *hookRecorder) OnEpochBegin(_ *Trainer, e int) error { return r.add("EpochBegin(%d)", e) }
func (r *hookRecorder) OnEpochEnd(t *Trainer, e int, l Logs) error {
	if r.epochEnd != nil {
		r.epochEnd(t, e, l)
	}
	return r.add("EpochEnd(%d %s)", e, strings.Join(sortedKeys(l), ","))
}
func (r *hookRecorder) OnTrainBatchBegin(_ *Trainer, b int) error {
	return r.add("TrainBatchBegin(%d)", b)
}
func (r *hookRecorder) OnTrainBatchEnd(_ *Trainer, b int, l Logs) error {
	return r.add("TrainBatchEnd(%d %s)", b, strings.Join(sortedKeys(l), ","))
}
func (r *hookRecorder) OnTestBegin(*Trainer) error { return r.add("TestBegin") }
func (r *hookRecorder) OnTestEnd(_ *Trainer, l Logs) error {
	return r.add("TestEnd(%s)", strings.Join(sortedKeys(l), ","))
}
func (r *hookRecorder) OnTestBatchBegin(_ *Trainer, b int) error {
	return r.add("TestBatchBegin(%d)", b)
}
func (r *hookRecorder) OnTestBatchEnd(_ *Trainer, b int, l Logs) error {
	return r.add("TestBatchEnd(%d)", b)
}
func (r *hookRecorder) OnPredictBegin(*Trainer) error { return r.add("PredictBegin") }
func (r *hookRecorder) OnPredictEnd(*Trainer) error   { return r.add("PredictEnd") }
func (r *hookRecorder) OnPredictBatchBegin(_ *Trainer, b int) error {
	return r.add("PredictBatchBegin(%d)", b)
}
func (r *hookRecorder) OnPredictBatchEnd(_ *Trainer, b int, out [][]float32) error {
	return r.add("PredictBatchEnd(%d %d)", b, len(out[0]))
}

func TestHooksInKerasOrder(t *testing.T) {
	x, y, _ := blobs(10, 4, 1)
	xv, yv, _ := blobs(3, 4, 2)
	tr := compiled(t, 1, CategoricalCrossentropy())
	var counts []int // Epoch() seen by OnEpochEnd: the epoch counts already
	r := &hookRecorder{epochEnd: func(tr *Trainer, _ int, _ Logs) { counts = append(counts, tr.Epoch()) }}
	if _, err := tr.Fit(x, y, Epochs(2), BatchSize(8), Verbose(0), ValidationData(xv, yv), Callbacks(r)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(counts) != "[1 2]" {
		t.Errorf("Epoch() at the epochs' ends: %v, want [1 2]", counts)
	}
	var want []string
	want = append(want, "TrainBegin")
	for e := 0; e < 2; e++ {
		want = append(want, fmt.Sprintf("EpochBegin(%d)", e),
			"TrainBatchBegin(0)", "TrainBatchEnd(0 accuracy,loss)", "TrainBatchBegin(1)", "TrainBatchEnd(1 accuracy,loss)",
			"TestBegin", "TestBatchBegin(0)", "TestBatchEnd(0)", "TestEnd(accuracy,loss)",
			fmt.Sprintf("EpochEnd(%d accuracy,loss,val_accuracy,val_loss)", e))
	}
	want = append(want, "TrainEnd(4)")
	if got := strings.Join(r.calls, " "); got != strings.Join(want, " ") {
		t.Errorf("Fit's hooks:\n%s\nwant\n%s", got, strings.Join(want, " "))
	}
	r.calls = nil
	if _, _, err := tr.Evaluate(x, y, BatchSize(8), Verbose(0), Callbacks(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Predict(x, BatchSize(8), Verbose(0), Callbacks(r)); err != nil {
		t.Fatal(err)
	}
	want = []string{"TestBegin", "TestBatchBegin(0)", "TestBatchEnd(0)", "TestBatchBegin(1)", "TestBatchEnd(1)", "TestEnd(accuracy,loss)",
		"PredictBegin", "PredictBatchBegin(0)", "PredictBatchEnd(0 24)", "PredictBatchBegin(1)", "PredictBatchEnd(1 6)", "PredictEnd"}
	if got := strings.Join(r.calls, " "); got != strings.Join(want, " ") {
		t.Errorf("Evaluate's and Predict's hooks:\n%s\nwant\n%s", got, strings.Join(want, " "))
	}
}

// TestCallbacksLeaveHistoryAlone: callbacks that only watch change
// nothing of what Fit computes, and the batch logs are the running means
// the epoch's values end with.
func TestCallbacksLeaveHistoryAlone(t *testing.T) {
	x, y, _ := blobs(50, 4, 1)
	run := func(opts ...Option) (*History, [][]float32) {
		tr := compiled(t, 1, CategoricalCrossentropy())
		h, err := tr.Fit(x, y, append([]Option{Epochs(2), BatchSize(16), Verbose(0), ValidationSplit(0.2)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return h, weightsOf(tr)
	}
	h0, w0 := run()
	var last Logs
	rec := &batchRecorder{f: func(_ int, l Logs) { last = Logs{"loss": l["loss"], "accuracy": l["accuracy"]} }}
	h1, w1 := run(Callbacks(BaseCallback{}, rec))
	if d := historyDiff(h0, h1, 0); d != "" || !sameBits(w0, w1) {
		t.Errorf("with callbacks: %s", d)
	}
	if last["loss"] != h1.Values["loss"][1] || last["accuracy"] != h1.Values["accuracy"][1] {
		t.Errorf("last batch logs %v, epoch values %v %v", last, h1.Values["loss"][1], h1.Values["accuracy"][1])
	}
}

type batchRecorder struct {
	BaseCallback
	f func(b int, l Logs)
}

func (r *batchRecorder) OnTrainBatchEnd(_ *Trainer, b int, l Logs) error { r.f(b, l); return nil }

// failAt fails at one hook.
type failAt struct {
	hookRecorder
	hook string
	err  error
}

func (f *failAt) OnEpochEnd(t *Trainer, e int, l Logs) error {
	if f.hook == "OnEpochEnd" && e == 1 {
		return f.err
	}
	return nil
}
func (f *failAt) OnTrainBatchBegin(t *Trainer, b int) error {
	if f.hook == "OnTrainBatchBegin" && b == 2 {
		return f.err
	}
	return nil
}
func (f *failAt) OnTrainBegin(t *Trainer) error {
	if f.hook == "OnTrainBegin" {
		return f.err
	}
	return nil
}
func (f *failAt) OnTrainEnd(*Trainer, Logs) error {
	panic("OnTrainEnd called after an error")
}

func TestCallbackErrorAborts(t *testing.T) {
	x, y, _ := blobs(50, 4, 1)
	boom := errors.New("boom")
	tests := []struct {
		hook   string
		want   string
		epochs int
	}{
		{"OnTrainBegin", "fit: callback 1 (*train.failAt) OnTrainBegin: boom", 0},
		{"OnTrainBatchBegin", "fit: epoch 1: batch 3 of 4: callback 1 (*train.failAt) OnTrainBatchBegin: boom", 0},
		{"OnEpochEnd", "fit: epoch 2: callback 1 (*train.failAt) OnEpochEnd: boom", 1},
	}
	for _, tc := range tests {
		t.Run(tc.hook, func(t *testing.T) {
			tr := compiled(t, 1, CategoricalCrossentropy())
			h, err := tr.Fit(x, y, Epochs(3), BatchSize(16), Verbose(0), Callbacks(BaseCallback{}, &failAt{hook: tc.hook, err: boom}))
			if !errors.Is(err, boom) || err.Error() != tc.want {
				t.Errorf("error %q, want %q wrapping boom", err, tc.want)
			}
			if h == nil || len(h.Epochs) != tc.epochs {
				t.Errorf("history %+v, want %d epochs", h, tc.epochs)
			}
		})
	}
	tr := compiled(t, 1, CategoricalCrossentropy())
	if _, err := tr.Fit(x, y, Verbose(0), Callbacks(nil)); err == nil || !strings.Contains(err.Error(), "callback 0 is nil") {
		t.Errorf("nil callback: %v", err)
	}
}

// outputWatcher writes to its Trainer's Output at the hooks that begin a
// call, asks to stop at epoch stopAt's end, and records what
// StopRequested says.
type outputWatcher struct {
	BaseCallback
	stopAt int
	seen   []string
}

func (o *outputWatcher) note(t *Trainer, hook string) {
	fmt.Fprintf(t.Output(), "%s;", hook)
	o.seen = append(o.seen, fmt.Sprintf("%s:%v", hook, t.StopRequested()))
}
func (o *outputWatcher) OnTrainBegin(t *Trainer) error { o.note(t, "TrainBegin"); return nil }
func (o *outputWatcher) OnEpochEnd(t *Trainer, e int, _ Logs) error {
	if e == o.stopAt {
		t.StopTraining()
	}
	o.note(t, fmt.Sprintf("EpochEnd%d", e))
	return nil
}
func (o *outputWatcher) OnTestBegin(t *Trainer) error    { o.note(t, "TestBegin"); return nil }
func (o *outputWatcher) OnPredictBegin(t *Trainer) error { o.note(t, "PredictBegin"); return nil }

// TestOutputAndStopRequested: callbacks write where the running call
// writes, and see a stop asked for until the next Fit starts.
func TestOutputAndStopRequested(t *testing.T) {
	x, y, _ := blobs(20, 4, 1)
	tr := compiled(t, 1, CategoricalCrossentropy())
	if tr.Output() != io.Discard || tr.StopRequested() {
		t.Errorf("before any call: Output %v, StopRequested %v; want io.Discard, false", tr.Output(), tr.StopRequested())
	}
	var fit, eval, pred bytes.Buffer
	w := &outputWatcher{stopAt: 1}
	h, err := tr.Fit(x, y, Epochs(4), Verbose(0), Output(&fit), Callbacks(w))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || !tr.StopRequested() {
		t.Errorf("ran %d epochs, StopRequested %v after; want 2, true", len(h.Epochs), tr.StopRequested())
	}
	if _, _, err := tr.Evaluate(x, y, Verbose(0), Output(&eval), Callbacks(w)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Predict(x, Verbose(0), Output(&pred), Callbacks(w)); err != nil {
		t.Fatal(err)
	}
	if fit.String() != "TrainBegin;EpochEnd0;EpochEnd1;" || eval.String() != "TestBegin;" || pred.String() != "PredictBegin;" {
		t.Errorf("written: Fit %q, Evaluate %q, Predict %q", fit.String(), eval.String(), pred.String())
	}
	if tr.Output() != io.Discard {
		t.Errorf("after the calls: Output %v, want io.Discard", tr.Output())
	}
	w.stopAt = -1
	if _, err := tr.Fit(x, y, Epochs(1), Verbose(0), Output(io.Discard), Callbacks(w)); err != nil {
		t.Fatal(err)
	}
	want := "TrainBegin:false EpochEnd0:false EpochEnd1:true TestBegin:true PredictBegin:true TrainBegin:false EpochEnd0:false"
	if got := strings.Join(w.seen, " "); got != want {
		t.Errorf("StopRequested at the hooks:\n%s\nwant\n%s", got, want)
	}
}
