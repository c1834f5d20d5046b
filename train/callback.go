package train

import (
	"sort"

	"github.com/pkg/errors"
)

// Logs are the numbers a callback is given, by name, as Keras's logs
// dict: at a training batch's end the running means of the epoch so far
// ("loss" and each metric, as the progress bar shows them), at an
// epoch's end the epoch's "loss", metrics and, when validating,
// "val_loss" and "val_<metric>". The batch logs map is reused from batch
// to batch: copy it to keep it. A callback may add values to an epoch's
// logs (callbacks.LearningRateScheduler adds "learning_rate"): the
// callbacks after it, and History, see them.
type Logs map[string]float64

// A Callback is called at the points of Fit, Evaluate and Predict that
// Keras 3's callbacks are. Epochs and batches are counted from 0, as in
// Keras. Embed BaseCallback to implement only the methods needed.
//
// Callbacks run on the calling goroutine with the Trainer's lock held
// (see Trainer): they may read and change the weights (Trainer.Params),
// the optimizer (Trainer.Optimizer), stop training
// (Trainer.StopTraining) and write messages where the call writes
// (Trainer.Output), but must not call Fit, Evaluate, Predict or Locked
// on that Trainer. Package train/callbacks holds Keras's built-in ones. An error from a callback aborts the call: it is
// returned wrapped with the hook's name, the callback's place in the list
// and the epoch and batch; the remaining hooks (OnTrainEnd included) are
// not called, as when a Keras callback raises. During Fit, validation
// calls the test hooks, as Keras's fit does.
type Callback interface {
	// OnTrainBegin is called when Fit starts, before the first epoch.
	OnTrainBegin(t *Trainer) error
	// OnTrainEnd is called when Fit ends normally (StopTraining
	// included), with the logs of the last epoch (nil if none ran).
	OnTrainEnd(t *Trainer, logs Logs) error
	// OnEpochBegin is called before an epoch's first batch.
	OnEpochBegin(t *Trainer, epoch int) error
	// OnEpochEnd is called after an epoch's training and validation.
	OnEpochEnd(t *Trainer, epoch int, logs Logs) error
	// OnTrainBatchBegin is called before a training step.
	OnTrainBatchBegin(t *Trainer, batch int) error
	// OnTrainBatchEnd is called after a training step, with the epoch's
	// running means.
	OnTrainBatchEnd(t *Trainer, batch int, logs Logs) error
	// OnTestBegin is called when Evaluate, or Fit's validation, starts.
	OnTestBegin(t *Trainer) error
	// OnTestEnd is called when Evaluate, or Fit's validation, ends, with
	// the loss and metrics (not prefixed with "val_").
	OnTestEnd(t *Trainer, logs Logs) error
	// OnTestBatchBegin is called before an evaluation step.
	OnTestBatchBegin(t *Trainer, batch int) error
	// OnTestBatchEnd is called after an evaluation step, with the
	// running means.
	OnTestBatchEnd(t *Trainer, batch int, logs Logs) error
	// OnPredictBegin is called when Predict starts.
	OnPredictBegin(t *Trainer) error
	// OnPredictEnd is called when Predict ends.
	OnPredictEnd(t *Trainer) error
	// OnPredictBatchBegin is called before a prediction step.
	OnPredictBatchBegin(t *Trainer, batch int) error
	// OnPredictBatchEnd is called after a prediction step with the
	// batch's outputs (Keras's logs["outputs"]): one slice per output of
	// the network, (rows, width) in row-major order. The slices are
	// reused: copy them to keep them.
	OnPredictBatchEnd(t *Trainer, batch int, outputs [][]float32) error
}

// BaseCallback does nothing at every hook: embed it in a callback to
// implement only the hooks it needs.
type BaseCallback struct{}

// OnTrainBegin does nothing.
func (BaseCallback) OnTrainBegin(*Trainer) error { return nil }

// OnTrainEnd does nothing.
func (BaseCallback) OnTrainEnd(*Trainer, Logs) error { return nil }

// OnEpochBegin does nothing.
func (BaseCallback) OnEpochBegin(*Trainer, int) error { return nil }

// OnEpochEnd does nothing.
func (BaseCallback) OnEpochEnd(*Trainer, int, Logs) error { return nil }

// OnTrainBatchBegin does nothing.
func (BaseCallback) OnTrainBatchBegin(*Trainer, int) error { return nil }

// OnTrainBatchEnd does nothing.
func (BaseCallback) OnTrainBatchEnd(*Trainer, int, Logs) error { return nil }

// OnTestBegin does nothing.
func (BaseCallback) OnTestBegin(*Trainer) error { return nil }

// OnTestEnd does nothing.
func (BaseCallback) OnTestEnd(*Trainer, Logs) error { return nil }

// OnTestBatchBegin does nothing.
func (BaseCallback) OnTestBatchBegin(*Trainer, int) error { return nil }

// OnTestBatchEnd does nothing.
func (BaseCallback) OnTestBatchEnd(*Trainer, int, Logs) error { return nil }

// OnPredictBegin does nothing.
func (BaseCallback) OnPredictBegin(*Trainer) error { return nil }

// OnPredictEnd does nothing.
func (BaseCallback) OnPredictEnd(*Trainer) error { return nil }

// OnPredictBatchBegin does nothing.
func (BaseCallback) OnPredictBatchBegin(*Trainer, int) error { return nil }

// OnPredictBatchEnd does nothing.
func (BaseCallback) OnPredictBatchEnd(*Trainer, int, [][]float32) error { return nil }

// hookError wraps a callback's error with the hook and the callback's
// place in the list.
func hookError(err error, i int, c Callback, hook string) error {
	return errors.Wrapf(err, "callback %d (%T) %s", i, c, hook)
}

// fill sets logs to the values, after clearing it.
func fill(logs Logs, vs []value) {
	clear(logs)
	for _, v := range vs {
		logs[v.name] = v.v
	}
}

// record appends an epoch's logs to h: the values in their order, then
// what callbacks added, sorted by name. With no callbacks logs is nil and
// the values are recorded as they are.
func record(h *History, epoch int, vs []value, logs Logs) {
	h.Epochs = append(h.Epochs, epoch)
	if logs == nil {
		for _, v := range vs {
			h.add(v.name, v.v)
		}
		return
	}
	known := make(map[string]bool, len(vs))
	for _, v := range vs {
		if x, ok := logs[v.name]; ok {
			h.add(v.name, x)
		}
		known[v.name] = true
	}
	var extra []string
	for k := range logs {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		h.add(k, logs[k])
	}
}
