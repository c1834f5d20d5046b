package callbacks

import (
	"fmt"
	"io"
	"math"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// ModelCheckpoint is Keras 3's ModelCheckpoint callback (saving at each
// epoch's end): it calls Save with Path, formatted, after every epoch, or
// only after epochs that improve the monitored value with SaveBestOnly.
// This package cannot write models itself: Save does (nn's
// Model.Checkpoint returns a ModelCheckpoint whose Save is the model's).
// Save runs, as every callback, with the train.Trainer's lock held, so
// it must not call the Trainer's Fit, Evaluate, Predict or Locked.
//
// Path may hold fields in Python's format syntax, filled from the
// epoch's logs and "epoch" (counted from 1): "model-{epoch:02d}-
// {val_loss:.2f}.npz" gives "model-03-0.41.npz". The subset understood:
// {name}, {name:spec} with spec [0][width][.precision][type], type d
// (integers: only epoch), f, e or g, and {{ and }} for braces. A field
// that is neither epoch nor in the logs is an error naming it (at the
// epoch's end); a malformed Path is an error at OnTrainBegin, as a nil
// Save is. An error from Save aborts Fit.
//
// With SaveBestOnly it saves when the value improves on the best so far
// (below it when minimising, above when maximising; no min_delta), the
// best starting at +Inf (−Inf) and kept across Fit calls, as in Keras;
// when the value is missing from the logs it warns once and saves, as
// Keras does. With Verbose > 0 it prints, as Keras does, "Epoch N:
// val_loss improved from A to B, saving model to PATH" (A and B with 5
// decimals), "Epoch N: val_loss did not improve from A", or, without
// SaveBestOnly, "Epoch N: saving model to PATH".
type ModelCheckpoint struct {
	train.BaseCallback
	Path         string                  // where to save, with format fields
	Monitor      string                  // the logs' name to watch; "" means "val_loss"
	SaveBestOnly bool                    // save only epochs that improve on the best
	Mode         string                  // "auto" (or ""), "min" or "max"
	Verbose      int                     // above 0: say what it saves
	Output       io.Writer               // where messages go; nil: Fit's Output
	Save         func(path string) error // writes the model; required

	parts    []pathPart
	maximise bool
	best     float64
	haveBest bool
	warned   bool
}

func (c *ModelCheckpoint) monitor() string {
	if c.Monitor == "" {
		return "val_loss"
	}
	return c.Monitor
}

// OnTrainBegin checks Save, Path and the mode.
func (c *ModelCheckpoint) OnTrainBegin(*train.Trainer) error {
	if c.Save == nil {
		return errors.New("ModelCheckpoint: nil Save: give it the function that writes the model (nn's model.Save)")
	}
	parts, err := parsePath(c.Path)
	if err != nil {
		return errors.Wrap(err, "ModelCheckpoint")
	}
	up, err := maximised("ModelCheckpoint", c.monitor(), c.Mode)
	if err != nil {
		return err
	}
	if !c.haveBest || up != c.maximise {
		c.best = math.Inf(1)
		if up {
			c.best = math.Inf(-1)
		}
		c.haveBest = true
	}
	c.parts, c.maximise, c.warned = parts, up, false
	return nil
}

// OnEpochEnd saves the model if it should; see ModelCheckpoint.
func (c *ModelCheckpoint) OnEpochEnd(t *train.Trainer, epoch int, logs train.Logs) error {
	path, err := formatPath(c.parts, epoch+1, logs)
	if err != nil {
		return errors.Wrapf(err, "ModelCheckpoint: path %q", c.Path)
	}
	w := output(t, c.Output)
	if c.SaveBestOnly {
		v, ok := monitored(w, "ModelCheckpoint", c.monitor(), logs, &c.warned)
		if ok {
			better := v < c.best
			if c.maximise {
				better = v > c.best
			}
			if !better {
				if c.Verbose > 0 {
					fmt.Fprintf(w, "Epoch %d: %s did not improve from %s\n", epoch+1, c.monitor(), pyFixed(c.best, 5))
				}
				return nil
			}
			if c.Verbose > 0 {
				fmt.Fprintf(w, "Epoch %d: %s improved from %s to %s, saving model to %s\n", epoch+1, c.monitor(), pyFixed(c.best, 5), pyFixed(v, 5), path)
			}
			c.best = v
		}
	} else if c.Verbose > 0 {
		fmt.Fprintf(w, "Epoch %d: saving model to %s\n", epoch+1, path)
	}
	if err := c.Save(path); err != nil {
		return errors.Wrapf(err, "ModelCheckpoint: saving %s", path)
	}
	return nil
}
