package train

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
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

// esRun feeds an EarlyStopping a sequence of monitored values and
// returns the epoch it stopped at (-1 if none) and what it printed.
func esRun(t *testing.T, es *EarlyStopping, name string, values []float64) (int, string) {
	t.Helper()
	tr := compiled(t, 1, CategoricalCrossentropy())
	var out bytes.Buffer
	es.Output = &out
	if err := es.OnTrainBegin(tr); err != nil {
		t.Fatal(err)
	}
	stopped := -1
	for e, v := range values {
		logs := Logs{"loss": 1}
		if !math.IsInf(v, -1) { // −Inf stands for a missing value
			logs[name] = v
		}
		if err := es.OnEpochEnd(tr, e, logs); err != nil {
			t.Fatal(err)
		}
		if tr.stop.Load() {
			stopped = e
			break
		}
	}
	if err := es.OnTrainEnd(tr, nil); err != nil {
		t.Fatal(err)
	}
	return stopped, out.String()
}

func TestEarlyStoppingRule(t *testing.T) {
	nan, missing := math.NaN(), math.Inf(-1)
	with := func(f func(*EarlyStopping)) *EarlyStopping {
		es := NewEarlyStopping()
		es.Verbose = 1
		f(es)
		return es
	}
	tests := []struct {
		name    string
		es      *EarlyStopping
		monitor string
		values  []float64
		stop    int // -1: does not stop
		best    int
	}{
		{"patience 0", with(func(*EarlyStopping) {}), "val_loss", []float64{1, 0.9, 0.95, 0.5}, 2, 1},
		{"patience 2", with(func(e *EarlyStopping) { e.Patience = 2 }), "val_loss", []float64{1, 0.9, 0.95, 0.92, 0.5}, 3, 1},
		{"patience 2, improving in time", with(func(e *EarlyStopping) { e.Patience = 2 }), "val_loss", []float64{1, 0.9, 0.95, 0.85, 0.86, 0.84}, -1, 5},
		{"min_delta", with(func(e *EarlyStopping) { e.Patience = 1; e.MinDelta = 0.05 }), "val_loss", []float64{1, 0.97, 0.9}, 1, 0},
		{"min_delta, its sign ignored", with(func(e *EarlyStopping) { e.Patience = 1; e.MinDelta = -0.05 }), "val_loss", []float64{1, 0.94, 0.9}, 2, 1},
		{"auto maximises accuracy", with(func(e *EarlyStopping) { e.Monitor = "val_accuracy"; e.Patience = 1 }), "val_accuracy", []float64{0.5, 0.6, 0.55, 0.7}, 2, 1},
		{"max", with(func(e *EarlyStopping) { e.Monitor = "score"; e.Mode = "max" }), "score", []float64{1, 2, 2}, 2, 1},
		{"min on accuracy", with(func(e *EarlyStopping) { e.Monitor = "accuracy"; e.Mode = "min" }), "accuracy", []float64{0.5, 0.6}, 1, 0},
		{"baseline not beaten", with(func(e *EarlyStopping) { e.Patience = 2; e.Baseline = 0.5 }), "val_loss", []float64{0.8, 0.7, 0.75, 0.6}, 2, 1},
		{"no baseline", with(func(e *EarlyStopping) { e.Patience = 2 }), "val_loss", []float64{0.8, 0.7, 0.75, 0.6}, -1, 3},
		{"baseline beaten", with(func(e *EarlyStopping) { e.Patience = 2; e.Baseline = 0.5 }), "val_loss", []float64{0.8, 0.4, 0.45, 0.42, 0.41}, 3, 1},
		{"start_from_epoch", with(func(e *EarlyStopping) { e.StartFromEpoch = 2 }), "val_loss", []float64{1, 2, 3, 4}, 3, 2},
		{"never at epoch 0", with(func(*EarlyStopping) {}), "val_loss", []float64{nan, nan}, 1, 0},
		{"missing value", with(func(*EarlyStopping) {}), "val_loss", []float64{missing, missing, missing}, -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop, out := esRun(t, tc.es, tc.monitor, tc.values)
			if stop != tc.stop || tc.es.BestEpoch() != tc.best {
				t.Errorf("stopped at %d, best epoch %d; want %d, %d", stop, tc.es.BestEpoch(), tc.stop, tc.best)
			}
			msg := fmt.Sprintf("Epoch %d: early stopping\n", tc.stop+1)
			if (tc.stop >= 0) != strings.Contains(out, msg) {
				t.Errorf("output %q", out)
			}
			if tc.name == "missing value" && strings.Count(out, `the monitored value "val_loss" is not in the logs (loss)`) != 1 {
				t.Errorf("want one warning, got %q", out)
			}
		})
	}
	for _, bad := range []*EarlyStopping{
		with(func(e *EarlyStopping) { e.Mode = "lowest" }),
		with(func(e *EarlyStopping) { e.Monitor = "val_f1_thing" }),
		with(func(e *EarlyStopping) { e.Patience = -1 }),
		with(func(e *EarlyStopping) { e.MinDelta = nan }),
	} {
		if err := bad.OnTrainBegin(compiled(t, 1, MeanSquaredError())); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// overfitRun is a run built to overfit: 10 training rows, validation data
// from a shifted distribution; its val_loss is lowest at epoch 2 and then
// rises, by and large.
func overfitRun(t *testing.T, epochs int, cbs ...Callback) (*Trainer, *History, string) {
	t.Helper()
	x, y, _ := blobs(10, 4, 1)
	xv, yv, _ := blobs(60, 4, 4)
	xd := xv.Data().([]float32)
	for i := 1; i < len(xd); i += 4 {
		xd[i] += 2
	}
	opt := RMSprop()
	opt.LearningRate = 0.05
	tr, err := Compile(newMLP(4, 16, 3, false), opt, CategoricalCrossentropy(), Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := tr.Fit(x, y, Epochs(epochs), BatchSize(4), ValidationData(xv, yv), Verbose(0), Seed(1), Output(&out), Callbacks(cbs...))
	if err != nil {
		t.Fatal(err)
	}
	return tr, h, out.String()
}

func TestEarlyStoppingRestoresTheBestWeights(t *testing.T) {
	const epochs, patience = 30, 3
	var after [][][]float32 // weights after each epoch
	rec := &hookRecorder{epochEnd: func(tr *Trainer, _ int, _ Logs) { after = append(after, weightsOf(tr)) }}
	_, ref, _ := overfitRun(t, epochs, rec)
	// Keras's rule, for min_delta 0 and no baseline: stop at the first
	// epoch (not 0) that is patience epochs past the best so far.
	vl := ref.Values["val_loss"]
	best, stop := 0, -1
	for e := range vl {
		if vl[e] < vl[best] {
			best = e
		}
		if e > 0 && e-best >= patience {
			stop = e
			break
		}
	}
	if stop < 0 || best == stop || stop == epochs-1 {
		t.Fatalf("the reference run does not overfit as meant: val_loss %v", vl)
	}
	es := NewEarlyStopping()
	es.Patience, es.RestoreBestWeights, es.Verbose = patience, true, 1
	tr, h, out := overfitRun(t, epochs, es)
	if len(h.Epochs) != stop+1 || es.StoppedEpoch() != stop || es.BestEpoch() != best {
		t.Errorf("ran %d epochs, stopped at %d, best %d; want %d, %d, %d", len(h.Epochs), es.StoppedEpoch(), es.BestEpoch(), stop+1, stop, best)
	}
	if !sameBits(weightsOf(tr), after[best]) {
		t.Errorf("weights are not those after epoch %d", best)
	}
	if sameBits(weightsOf(tr), after[stop]) {
		t.Error("the weights were not restored")
	}
	want := fmt.Sprintf("Epoch %d: early stopping\nRestoring model weights from the end of the best epoch: %d.\n", stop+1, best+1)
	if out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestModelCheckpoint(t *testing.T) {
	_, ref, _ := overfitRun(t, 8)
	vl := ref.Values["val_loss"]
	var saved []string
	cp := &ModelCheckpoint{Path: "m-{epoch:02d}-{val_loss:.3f}.npz", SaveBestOnly: true, Verbose: 1,
		Save: func(p string) error { saved = append(saved, p); return nil }}
	_, _, out := overfitRun(t, 8, cp)
	var want []string
	var msgs strings.Builder
	best := math.Inf(1)
	for e, v := range vl {
		if v < best {
			path := fmt.Sprintf("m-%02d-%.3f.npz", e+1, v)
			want = append(want, path)
			fmt.Fprintf(&msgs, "Epoch %d: val_loss improved from %s to %.5f, saving model to %s\n", e+1, pyFixed(best, 5), v, path)
			best = v
		} else {
			fmt.Fprintf(&msgs, "Epoch %d: val_loss did not improve from %.5f\n", e+1, best)
		}
	}
	if strings.Join(saved, " ") != strings.Join(want, " ") || len(want) == len(vl) {
		t.Errorf("saved %v, want %v (val_loss %v)", saved, want, vl)
	}
	if out != msgs.String() || !strings.HasPrefix(out, "Epoch 1: val_loss improved from inf to ") {
		t.Errorf("messages:\n%s\nwant\n%s", out, msgs.String())
	}

	saved = nil
	all := &ModelCheckpoint{Path: "e{epoch}.bin", Save: func(p string) error { saved = append(saved, p); return nil }}
	overfitRun(t, 3, all)
	if strings.Join(saved, " ") != "e1.bin e2.bin e3.bin" {
		t.Errorf("without save_best_only: %v", saved)
	}

	full := errors.New("disk full")
	x, y, _ := blobs(10, 4, 1)
	for _, tc := range []struct {
		cp   *ModelCheckpoint
		want string
	}{
		{&ModelCheckpoint{Path: "m.npz"}, "nil Save"},
		{&ModelCheckpoint{Path: "m-{epoch:02d.npz", Save: func(string) error { return nil }}, "is not closed"},
		{&ModelCheckpoint{Path: "m-{val_los:.2f}.npz", Save: func(string) error { return nil }}, "unknown field {val_los}"},
		{&ModelCheckpoint{Path: "m.npz", Save: func(string) error { return full }}, "fit: epoch 1: callback 0 (*train.ModelCheckpoint) OnEpochEnd: ModelCheckpoint: saving m.npz: disk full"},
	} {
		tr := compiled(t, 1, CategoricalCrossentropy())
		_, err := tr.Fit(x, y, Verbose(0), Callbacks(tc.cp))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.cp, err, tc.want)
		}
		if strings.Contains(tc.want, "disk full") && !errors.Is(err, full) {
			t.Errorf("Save's error is not wrapped: %v", err)
		}
	}
}

func TestPathFormat(t *testing.T) {
	logs := Logs{"loss": 0.123456, "val_loss": 1.5, "tiny": 1e-5, "nan": math.NaN()}
	tests := []struct{ path, want string }{
		{"m-{epoch:02d}-{val_loss:.2f}.npz", "m-03-1.50.npz"},
		{"{epoch}_{epoch:03}_{epoch:.1f}", "3_003_3.0"},
		{"{loss}|{val_loss}|{tiny}|{nan}", "0.123456|1.5|1e-05|nan"},
		{"{loss:8.3f}|{loss:08.3f}|{loss:.2e}|{loss:g}", "   0.123|0000.123|1.23e-01|0.123456"},
		{"{{epoch}}-{{{epoch}}}", "{epoch}-{3}"},
	}
	for _, tc := range tests {
		parts, err := parsePath(tc.path)
		if err != nil {
			t.Errorf("%q: %v", tc.path, err)
			continue
		}
		if got, err := formatPath(parts, 3, logs); err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	bad := []struct{ path, want string }{
		{"", "empty Path"},
		{"m}", "single '}'"},
		{"{epoch", "is not closed"},
		{"{a.b}", "is not a plain name"},
		{"{epoch:x}", `format spec "x" is not understood`},
		{"{epoch:.2d}", "precision is not allowed with d"},
		{"{loss:.}", "'.' without a precision"},
	}
	for _, tc := range bad {
		if _, err := parsePath(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"{loss:02d}", "format code 'd' needs an integer"},
		{"{acc}", "unknown field {acc}: want epoch or one of the logs' names (loss, nan, tiny, val_loss)"},
	} {
		parts, err := parsePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := formatPath(parts, 1, logs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	for v, want := range map[float64]string{
		0.1: "0.1", 1: "1.0", 0: "0.0", -2.5: "-2.5", 1e-5: "1e-05", 1.5e-7: "1.5e-07", 0.0001: "0.0001",
		1e16: "1e+16", 123456789012345678: "1.2345678901234568e+17", 1e15: "1000000000000000.0",
		float64(float32(0.001)) * 0.1: "0.00010000000474974513", math.Inf(1): "inf", math.Inf(-1): "-inf",
	} {
		if got := pyRepr(v); got != want {
			t.Errorf("pyRepr(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestTerminateOnNaN trains a linear regression with a learning rate so
// large that it diverges: training stops at the first batch whose loss
// is infinite or NaN, Fit returns normally with that epoch's History.
func TestTerminateOnNaN(t *testing.T) {
	x, _, _ := blobs(64, 4, 1)
	yd := make([]float32, 64)
	for i := range yd {
		yd[i] = float32(i % 5)
	}
	y := tensor.New(tensor.WithShape(64, 1), tensor.WithBacking(yd))
	run := func(cbs ...Callback) ([]float64, *History, string) {
		opt := SGD()
		opt.LearningRate = 0.5
		tr, err := Compile(newLinear(4, 1, 1), opt, MeanSquaredError())
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		rec := &batchRecorder{f: func(_ int, l Logs) { losses = append(losses, l["loss"]) }}
		var out bytes.Buffer
		h, err := tr.Fit(x, y, Epochs(3), BatchSize(2), Verbose(0), Output(&out), Callbacks(append([]Callback{rec}, cbs...)...))
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

// newLinear is x·w + b, no activation: a regression.
func newLinear(in, out int, seed uint64) Network {
	n := newSoftmaxRegression(in, out, seed)
	return linearNet{n}
}

type linearNet struct{ *softmaxRegression }

func (n linearNet) Forward(x []*G.Node, p []*G.Node, _ Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	return []*G.Node{z}, err
}

func TestLearningRateScheduler(t *testing.T) {
	x, y, _ := blobs(20, 4, 1)
	opt := SGD()
	opt.LearningRate = 0.1
	tr, err := Compile(newSoftmaxRegression(4, 3, 1), opt, CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	var rates []float32
	rec := &rateRecorder{f: func(tr *Trainer) { rates = append(rates, learningRate(tr.Optimizer())) }}
	var out bytes.Buffer
	sched := LearningRateScheduler{Verbose: 1, Schedule: func(e int, lr float32) float32 {
		if e == 0 {
			return lr
		}
		return lr / 2
	}}
	h, err := tr.Fit(x, y, Epochs(3), Verbose(0), Output(&out), Callbacks(sched, rec))
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
	if _, err := tr.Fit(x, y, Epochs(5), Verbose(0), Callbacks(bad)); err == nil || !strings.Contains(err.Error(), "the schedule's rate for epoch 2") {
		t.Errorf("a schedule reaching 0: %v", err)
	}
}

type rateRecorder struct {
	BaseCallback
	f func(*Trainer)
}

func (r *rateRecorder) OnEpochBegin(t *Trainer, _ int) error { r.f(t); return nil }

func TestReduceLROnPlateau(t *testing.T) {
	r := NewReduceLROnPlateau()
	if r.Monitor != "val_loss" || r.Factor != 0.1 || r.Patience != 10 || r.Mode != "auto" || r.MinDelta != 1e-4 || r.Cooldown != 0 || r.MinLR != 0 {
		t.Errorf("defaults %+v", r)
	}
	r.Factor, r.Patience, r.Cooldown, r.MinLR, r.Verbose = 0.5, 2, 1, 0.2, 1
	opt := SGD()
	opt.LearningRate = 1
	tr, err := Compile(newSoftmaxRegression(4, 3, 1), opt, CategoricalCrossentropy())
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
		logs := Logs{"val_loss": 1}
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
		if err := r.OnEpochEnd(tr, e, Logs{"val_loss": v}); err != nil {
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
