package callbacks

import (
	"fmt"
	"io"
	"math"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// EarlyStopping is Keras 3's EarlyStopping callback: it stops training
// when a monitored value has stopped improving. Make one with
// NewEarlyStopping, which sets Keras's defaults, then change the fields;
// a zero EarlyStopping has Baseline 0, not "none".
//
// At each epoch's end, as Keras 3 does: if the value is missing from the
// logs (a warning is written once) or the epoch (from 0) is below
// StartFromEpoch, nothing happens. Otherwise, with RestoreBestWeights,
// the first weights seen are remembered; the wait count goes up by one;
// a value that improves on the best so far (v < best − |MinDelta| when
// minimising, v > best + |MinDelta| when maximising) becomes the best,
// its epoch the best epoch and its weights the best weights, and resets
// the wait to 0 if it also improves on Baseline (when set); otherwise,
// once the wait reaches Patience and the epoch is not the first, training
// stops (train.Trainer.StopTraining). At the end of training, with
// Verbose > 0, it prints "Epoch N: early stopping" (N from 1) if it
// stopped it, and, with RestoreBestWeights, it copies the best weights
// back, whether or not it stopped training.
//
// The weights remembered and restored are all of the network's, as
// Keras's get_weights and set_weights take them: the trainable ones and
// the others, such as BatchNormalization's moving statistics (see
// train.Trainer.Params).
//
// Unlike Keras 3, which keeps the best value from an earlier fit, each
// Fit starts afresh (as tf-keras did). Bad settings (an unknown Mode, a
// negative Patience or StartFromEpoch, a NaN MinDelta, a monitor whose
// direction "auto" cannot tell) are an error at OnTrainBegin, which
// aborts Fit.
type EarlyStopping struct {
	train.BaseCallback
	Monitor            string    // the logs' name to watch; "" means "val_loss"
	MinDelta           float64   // the least change that counts as an improvement (its absolute value)
	Patience           int       // epochs without improvement before stopping
	Mode               string    // "auto" (or ""), "min" or "max"
	Baseline           float64   // a value to beat for the wait to reset; NaN for none
	RestoreBestWeights bool      // restore the best epoch's weights at the end
	StartFromEpoch     int       // epochs (from 0) not watched at first
	Verbose            int       // above 0: print when it stops and restores
	Output             io.Writer // where messages go; nil: Fit's Output

	maximise    bool
	best        float64
	wait        int
	stopped     int
	bestEpoch   int
	weights     [][]float32 // the best epoch's values of every weight
	haveWeights bool
	warned      bool
}

// NewEarlyStopping returns an EarlyStopping with Keras's defaults:
// monitor "val_loss", min_delta 0, patience 0, mode "auto", no baseline,
// no weight restoring, start_from_epoch 0, verbose 0, output to Fit's
// Output.
func NewEarlyStopping() *EarlyStopping {
	return &EarlyStopping{Monitor: "val_loss", Mode: "auto", Baseline: math.NaN()}
}

func (c *EarlyStopping) monitor() string {
	if c.Monitor == "" {
		return "val_loss"
	}
	return c.Monitor
}

// OnTrainBegin checks the settings and resets the state.
func (c *EarlyStopping) OnTrainBegin(*train.Trainer) error {
	switch {
	case c.Patience < 0:
		return errors.Errorf("EarlyStopping: patience must be ≥ 0, got %d", c.Patience)
	case c.StartFromEpoch < 0:
		return errors.Errorf("EarlyStopping: start_from_epoch must be ≥ 0, got %d", c.StartFromEpoch)
	case math.IsNaN(c.MinDelta):
		return errors.New("EarlyStopping: min_delta is NaN")
	}
	up, err := maximised("EarlyStopping", c.monitor(), c.Mode)
	if err != nil {
		return err
	}
	c.maximise, c.best = up, math.Inf(1)
	if up {
		c.best = math.Inf(-1)
	}
	c.wait, c.stopped, c.bestEpoch, c.haveWeights, c.warned = 0, 0, 0, false, false
	return nil
}

// improves reports whether v beats ref by more than |MinDelta|.
func (c *EarlyStopping) improves(v, ref float64) bool {
	d := math.Abs(c.MinDelta)
	if c.maximise {
		return v-d > ref
	}
	return v+d < ref
}

// OnEpochEnd applies Keras's rule; see EarlyStopping.
func (c *EarlyStopping) OnEpochEnd(t *train.Trainer, epoch int, logs train.Logs) error {
	v, ok := monitored(output(t, c.Output), "EarlyStopping", c.monitor(), logs, &c.warned)
	if !ok || epoch < c.StartFromEpoch {
		return nil
	}
	var ws [][]float32
	if c.RestoreBestWeights {
		var err error
		if ws, err = weights(t); err != nil {
			return errors.Wrap(err, "EarlyStopping")
		}
		if !c.haveWeights {
			c.weights, c.haveWeights, c.bestEpoch = copyWeights(c.weights, ws), true, epoch
		}
	}
	c.wait++
	if c.improves(v, c.best) {
		c.best, c.bestEpoch = v, epoch
		if c.RestoreBestWeights {
			c.weights = copyWeights(c.weights, ws)
		}
		if math.IsNaN(c.Baseline) || c.improves(v, c.Baseline) {
			c.wait = 0
		}
		return nil
	}
	if c.wait >= c.Patience && epoch > 0 {
		c.stopped = epoch
		t.StopTraining()
	}
	return nil
}

// OnTrainEnd reports the stop and restores the best weights when asked.
func (c *EarlyStopping) OnTrainEnd(t *train.Trainer, _ train.Logs) error {
	w := output(t, c.Output)
	if c.stopped > 0 && c.Verbose > 0 {
		fmt.Fprintf(w, "Epoch %d: early stopping\n", c.stopped+1)
	}
	if c.RestoreBestWeights && c.haveWeights {
		ws, err := weights(t)
		if err != nil {
			return errors.Wrap(err, "EarlyStopping")
		}
		if !sameSizes(ws, c.weights) { // Compile fixes the weights: not seen, but no panic
			return errors.New("EarlyStopping: the network's weights changed sizes during training; cannot restore the best ones")
		}
		if c.Verbose > 0 {
			fmt.Fprintf(w, "Restoring model weights from the end of the best epoch: %d.\n", c.bestEpoch+1)
		}
		for i, p := range ws {
			copy(p, c.weights[i])
		}
	}
	return nil
}

// StoppedEpoch returns the epoch (from 0) at whose end the last Fit was
// stopped, or 0 if it was not.
func (c *EarlyStopping) StoppedEpoch() int { return c.stopped }

// BestEpoch returns the epoch (from 0) of the best value seen in the last
// Fit (0 if none was).
func (c *EarlyStopping) BestEpoch() int { return c.bestEpoch }

// Best returns the best value seen in the last Fit: +Inf (or −Inf when
// maximising) if none was.
func (c *EarlyStopping) Best() float64 { return c.best }
