package train

import (
	"context"
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Fit trains the network on x (rows, input shape...) and y (targets as
// the loss wants them) and returns the History of per-epoch means. It is
// FitContext with a context that is never cancelled.
func (t *Trainer) Fit(x, y *tensor.Dense, opts ...Option) (*History, error) {
	return t.FitContext(context.Background(), x, y, opts...)
}

// FitContext trains the network on x (rows, input shape...) and y
// (targets as the loss wants them) and returns the History of per-epoch
// means.
//
// It trains epochs InitialEpoch+1 … Epochs (default 1 to 1). Each epoch
// shuffles the rows (unless Shuffle(false)) with a generator seeded by
// Seed, replaying the shuffles of the epochs before InitialEpoch, and
// reseeds what random layers such as dropout draw from Seed and the
// epoch's number, so a resumed run draws what an uninterrupted one does;
// then it takes ceil(rows/BatchSize) steps, the last one on the rows
// left over (60,000 rows in batches of 128: 469 steps, the last of 96).
// Each step runs the forward and backward pass and applies the
// optimizer. The loss and metrics shown and recorded are means over the
// samples seen so far in the epoch, as in Keras. With ValidationData or
// ValidationSplit the validation loss and metrics are computed at each
// epoch's end. Callbacks are called as Keras's fit calls them (see
// Callback); when one calls StopTraining, Fit ends the epoch after the
// current batch and returns normally.
//
// Before each step FitContext checks ctx. Once ctx is done it returns
// the History of the epochs finished and an error wrapping ctx.Err()
// (errors.Is(err, context.Canceled) or context.DeadlineExceeded holds)
// that names the epoch and batch it stopped before; the parameters and
// the optimizer's state are as the last finished step left them. Other
// errors also come with the History of the epochs finished.
//
// All input is checked before training starts; a bad row count, width,
// label, value or option, or a nil ctx, is an error naming it. The call
// holds the Trainer's lock (see Trainer).
//
// FitContext is for a network of one input and one output; FitMulti
// takes several.
func (t *Trainer) FitContext(ctx context.Context, x, y *tensor.Dense, opts ...Option) (*History, error) {
	if err := t.single("fit", "FitMulti"); err != nil {
		return nil, err
	}
	return t.FitMulti(ctx, []*tensor.Dense{x}, []*tensor.Dense{y}, opts...)
}

// FitMulti is FitContext for a network of any number of inputs and
// outputs: xs holds one tensor per input, (rows, input shape...), ys one
// per output, as that output's loss wants its targets (nil for an output
// without loss or metrics), all with the same rows, in the network's
// order. Validation data for it is given with ValidationDataMulti.
func (t *Trainer) FitMulti(ctx context.Context, xs, ys []*tensor.Dense, opts ...Option) (*History, error) {
	if ctx == nil {
		return nil, errors.New("fit: nil context")
	}
	s, err := settingsFor(opts)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	defer t.begin(s.out)()
	d, err := t.dataset(xs, ys, true)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	val, d, err := t.validationSet(s, d)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	h, err := t.fit(ctx, s, d, val)
	if err != nil {
		return h, errors.Wrap(err, "fit")
	}
	return h, nil
}

// fit runs the epochs; see FitContext.
func (t *Trainer) fit(ctx context.Context, s settings, d, val *dataset) (*History, error) {
	h := newHistory()
	cbs := s.callbacks
	t.stop.Store(false)
	if err := ctx.Err(); err != nil {
		return h, errors.Wrap(err, "cancelled before training")
	}
	for i, c := range cbs {
		if err := c.OnTrainBegin(t); err != nil {
			return h, hookError(err, i, c, "OnTrainBegin")
		}
	}
	order := make([]int, d.n)
	t.startShuffle(s.seed, order, s.initialEpoch, s.shuffle)
	total := steps(d.n, s.batch)
	var batchLogs, last Logs
	var before func(int) error
	if len(cbs) > 0 {
		batchLogs = Logs{}
		before = func(i int) error {
			for j, c := range cbs {
				if err := c.OnTrainBatchBegin(t, i); err != nil {
					return hookError(err, j, c, "OnTrainBatchBegin")
				}
			}
			return nil
		}
	}
	show := s.verbose == 1 || len(cbs) > 0 // whether batches' values are needed
	for epoch := s.initialEpoch; epoch < s.epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return h, errors.Wrapf(err, "cancelled before epoch %d", epoch+1)
		}
		t.reseed(s.seed, epoch)
		if s.shuffle {
			t.shuffleOrder(order)
		}
		if s.verbose == 1 {
			fmt.Fprintf(s.out, "Epoch %d/%d\n", epoch+1, s.epochs)
		}
		for i, c := range cbs {
			if err := c.OnEpochBegin(t, epoch); err != nil {
				return h, errors.Wrapf(hookError(err, i, c, "OnEpochBegin"), "epoch %d", epoch+1)
			}
		}
		bar := newProgbar(s.out, total, s.verbose, nil)
		sc := &scores{}
		done := 0
		err := t.run(ctx, d, order, s.batch, training, before, func(i int, st *step, rows []int) error {
			t.opt.Update(t.params, st.gradients())
			t.score(sc, st, len(rows))
			done = i + 1
			if show {
				vs := t.values(sc, "")
				bar.update(i+1, vs, false)
				if len(cbs) > 0 {
					fill(batchLogs, vs)
					for j, c := range cbs {
						if err := c.OnTrainBatchEnd(t, i, batchLogs); err != nil {
							return hookError(err, j, c, "OnTrainBatchEnd")
						}
					}
				}
			}
			if t.stop.Load() {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			return h, errors.Wrapf(err, "epoch %d", epoch+1)
		}
		values := t.values(sc, "")
		if val != nil {
			vs, err := t.evaluate(ctx, val, s, nil)
			if err != nil {
				return h, errors.Wrapf(err, "validating after epoch %d", epoch+1)
			}
			values = append(values, t.values(vs, "val_")...)
		}
		bar.target = done // fewer than total when stopped early, as Keras's bar shows
		bar.update(done, values, true)
		t.epoch.Add(1)
		var logs Logs
		if len(cbs) > 0 {
			logs = make(Logs, len(values)+1)
			fill(logs, values)
			for i, c := range cbs {
				if err := c.OnEpochEnd(t, epoch, logs); err != nil {
					return h, errors.Wrapf(hookError(err, i, c, "OnEpochEnd"), "epoch %d", epoch+1)
				}
			}
			last = logs
		}
		record(h, epoch, values, logs)
		if t.stop.Load() {
			break
		}
	}
	for i, c := range cbs {
		if err := c.OnTrainEnd(t, last); err != nil {
			return h, hookError(err, i, c, "OnTrainEnd")
		}
	}
	return h, nil
}

// validationSet returns the validation data the settings ask for and the
// training data left.
func (t *Trainer) validationSet(s settings, d *dataset) (val, rest *dataset, err error) {
	switch {
	case s.valX != nil || s.valY != nil:
		val, err = t.dataset(s.valX, s.valY, true)
		if err != nil {
			return nil, nil, errors.Wrap(err, "validation data")
		}
		return val, d, nil
	case s.valSplit > 0:
		at := int(math.Ceil(float64(d.n) * (1 - s.valSplit)))
		if at <= 0 || at >= d.n {
			return nil, nil, errors.Errorf("validation split %v of %d rows leaves %d for training and %d for validation; both need at least one", s.valSplit, d.n, at, d.n-at)
		}
		return d.slice(at, d.n, t.ins, t.outs), d.slice(0, at, t.ins, t.outs), nil
	}
	return nil, d, nil
}

// single returns an error, for the call what, unless the network has one
// input and one output; multi names the call that takes several.
func (t *Trainer) single(what, multi string) error {
	if in, out := len(t.net.Inputs()), len(t.net.Outputs()); in != 1 || out != 1 {
		return errors.Errorf("%s: the network has %d inputs and %d outputs; give one tensor for each with %s", what, in, out, multi)
	}
	return nil
}
