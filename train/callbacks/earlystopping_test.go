package callbacks

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
)

// esRun feeds an EarlyStopping a sequence of monitored values and
// returns the epoch it stopped at (-1 if none) and what it printed.
func esRun(t *testing.T, es *EarlyStopping, name string, values []float64) (int, string) {
	t.Helper()
	tr := compiled(t, 1, train.CategoricalCrossentropy())
	var out bytes.Buffer
	es.Output = &out
	if err := es.OnTrainBegin(tr); err != nil {
		t.Fatal(err)
	}
	stopped := -1
	for e, v := range values {
		logs := train.Logs{"loss": 1}
		if !math.IsInf(v, -1) { // −Inf stands for a missing value
			logs[name] = v
		}
		if err := es.OnEpochEnd(tr, e, logs); err != nil {
			t.Fatal(err)
		}
		if tr.StopRequested() {
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
		if err := bad.OnTrainBegin(compiled(t, 1, train.MeanSquaredError())); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// overfitRun is a run built to overfit: 10 training rows, validation data
// from a shifted distribution; its val_loss is lowest at epoch 2 and then
// rises, by and large. The mlp's non-trainable weight is set to the
// epoch's number (from 1) at each epoch's end, before cbs run.
func overfitRun(t *testing.T, epochs int, cbs ...train.Callback) (*train.Trainer, *train.History, string) {
	t.Helper()
	x, y := blobs(10, 4, 1)
	xv, yv := blobs(60, 4, 4)
	xd := xv.Data().([]float32)
	for i := 1; i < len(xd); i += 4 {
		xd[i] += 2
	}
	opt := train.RMSprop()
	opt.LearningRate = 0.05
	net := newMLP(4, 16, 3)
	tr, err := train.Compile(net, opt, train.CategoricalCrossentropy(), train.Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cbs = append([]train.Callback{statUpdater{net: net}}, cbs...)
	h, err := tr.Fit(x, y, train.Epochs(epochs), train.BatchSize(4), train.ValidationData(xv, yv), train.Verbose(0), train.Seed(1), train.Output(&out), train.Callbacks(cbs...))
	if err != nil {
		t.Fatal(err)
	}
	return tr, h, out.String()
}

// TestEarlyStoppingRestoresTheBestWeights: the weights at the end are
// those of the best epoch, all of them, as Keras's set_weights restores
// them: the trainable ones and the non-trainable one too.
func TestEarlyStoppingRestoresTheBestWeights(t *testing.T) {
	const epochs, patience = 30, 3
	var after [][][]float32 // weights after each epoch
	rec := &epochWatcher{f: func(tr *train.Trainer, _ int, _ train.Logs) { after = append(after, weightsOf(tr)) }}
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
	if got := len(weightsOf(tr)); got != 5 {
		t.Errorf("%d weights, want 5 (4 trainable, 1 not)", got)
	}
	if s := tr.Network().(*mlp).stat(); s != float32(best+1) {
		t.Errorf("the non-trainable weight is %v, want %v, its value after epoch %d (it was %v at the stop)", s, best+1, best, stop+1)
	}
	want := fmt.Sprintf("Epoch %d: early stopping\nRestoring model weights from the end of the best epoch: %d.\n", stop+1, best+1)
	if out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

// TestEarlyStoppingReused: one EarlyStopping given to the Fit of another
// network, of other weights, restores that network's best weights.
func TestEarlyStoppingReused(t *testing.T) {
	es := NewEarlyStopping()
	es.Patience, es.RestoreBestWeights = 100, true
	x, y := blobs(20, 4, 1)
	if _, err := compiled(t, 1, train.CategoricalCrossentropy()).Fit(x, y, train.Epochs(2), train.ValidationSplit(0.2), train.Verbose(0), train.Callbacks(es)); err != nil {
		t.Fatal(err)
	}
	var after [][][]float32
	rec := &epochWatcher{f: func(tr *train.Trainer, _ int, _ train.Logs) { after = append(after, weightsOf(tr)) }}
	tr, _, _ := overfitRun(t, 6, rec, es)
	if !sameBits(weightsOf(tr), after[es.BestEpoch()]) {
		t.Errorf("weights are not those after epoch %d", es.BestEpoch())
	}
}
