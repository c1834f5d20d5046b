package callbacks

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// ReduceLROnPlateau is Keras's ReduceLROnPlateau callback: it multiplies
// the learning rate by Factor when the monitored value has not improved
// for Patience epochs. Make one with NewReduceLROnPlateau, which sets
// Keras's defaults, then change the fields.
//
// At each epoch's end, as in Keras, it adds the current rate to the logs
// as "learning_rate", then, if the monitored value is there (else it
// warns once): during a cooldown it counts the cooldown down and resets
// the wait; a value that improves on the best (v < best − MinDelta when
// minimising, v > best + MinDelta when maximising) becomes the best and
// resets the wait; otherwise, outside a cooldown, the wait goes up, and
// when it reaches Patience, if the rate is above MinLR, the rate becomes
// max(rate·Factor, MinLR), the cooldown starts (Cooldown epochs) and the
// wait resets. With Verbose > 0 it prints "Epoch N: ReduceLROnPlateau
// reducing learning rate to R.". Mode "auto" (or "") maximises a monitor
// whose name contains "acc" and minimises any other, as Keras's
// ReduceLROnPlateau does. Bad settings (Factor outside (0, 1), a negative
// Patience or Cooldown, a negative or non-finite MinLR, a NaN MinDelta,
// an unknown Mode) are an error at OnTrainBegin.
type ReduceLROnPlateau struct {
	train.BaseCallback
	Monitor  string    // the logs' name to watch; "" means "val_loss"
	Factor   float64   // new rate = rate·Factor
	Patience int       // epochs without improvement before reducing
	Verbose  int       // above 0: say when it reduces
	Mode     string    // "auto" (or ""), "min" or "max"
	MinDelta float64   // the least change that counts as an improvement
	Cooldown int       // epochs to wait after a reduction
	MinLR    float64   // the lowest rate it sets
	Output   io.Writer // where messages go; nil: Fit's Output

	maximise       bool
	best           float64
	wait, cooldown int
	warned         bool
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau with Keras's
// defaults: monitor "val_loss", factor 0.1, patience 10, mode "auto",
// min_delta 1e-4, cooldown 0, min_lr 0, verbose 0.
func NewReduceLROnPlateau() *ReduceLROnPlateau {
	return &ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.1, Patience: 10, Mode: "auto", MinDelta: 1e-4}
}

func (c *ReduceLROnPlateau) monitor() string {
	if c.Monitor == "" {
		return "val_loss"
	}
	return c.Monitor
}

// OnTrainBegin checks the settings and resets the state.
func (c *ReduceLROnPlateau) OnTrainBegin(*train.Trainer) error {
	switch {
	case !(c.Factor > 0 && c.Factor < 1):
		return errors.Errorf("ReduceLROnPlateau: factor must be in (0, 1), got %v", c.Factor)
	case c.Patience < 0:
		return errors.Errorf("ReduceLROnPlateau: patience must be ≥ 0, got %d", c.Patience)
	case c.Cooldown < 0:
		return errors.Errorf("ReduceLROnPlateau: cooldown must be ≥ 0, got %d", c.Cooldown)
	case !(c.MinLR >= 0) || math.IsInf(c.MinLR, 1):
		return errors.Errorf("ReduceLROnPlateau: min_lr must be finite and ≥ 0, got %v", c.MinLR)
	case math.IsNaN(c.MinDelta):
		return errors.New("ReduceLROnPlateau: min_delta is NaN")
	}
	switch c.Mode {
	case "min":
		c.maximise = false
	case "max":
		c.maximise = true
	case "auto", "":
		c.maximise = strings.Contains(c.monitor(), "acc")
	default:
		return errors.Errorf("ReduceLROnPlateau: mode %q; want \"auto\", \"min\" or \"max\"", c.Mode)
	}
	c.best = math.Inf(1)
	if c.maximise {
		c.best = math.Inf(-1)
	}
	c.wait, c.cooldown, c.warned = 0, 0, false
	return nil
}

// OnEpochEnd applies Keras's rule; see ReduceLROnPlateau.
func (c *ReduceLROnPlateau) OnEpochEnd(t *train.Trainer, epoch int, logs train.Logs) error {
	logs["learning_rate"] = float64(learningRate(t.Optimizer()))
	w := output(t, c.Output)
	v, ok := monitored(w, "ReduceLROnPlateau", c.monitor(), logs, &c.warned)
	if !ok {
		return nil
	}
	if c.cooldown > 0 {
		c.cooldown--
		c.wait = 0
	}
	better := v < c.best-c.MinDelta
	if c.maximise {
		better = v > c.best+c.MinDelta
	}
	switch {
	case better:
		c.best, c.wait = v, 0
	case c.cooldown == 0:
		c.wait++
		if c.wait < c.Patience {
			return nil
		}
		old := float64(learningRate(t.Optimizer()))
		if !(old > float64(float32(c.MinLR))) {
			return nil
		}
		lr := math.Max(old*c.Factor, c.MinLR)
		if err := t.Optimizer().SetLearningRate(float32(lr)); err != nil {
			return errors.Wrapf(err, "ReduceLROnPlateau: epoch %d", epoch+1)
		}
		if c.Verbose > 0 {
			fmt.Fprintf(w, "Epoch %d: ReduceLROnPlateau reducing learning rate to %s.\n", epoch+1, pyRepr(lr))
		}
		c.cooldown, c.wait = c.Cooldown, 0
	}
	return nil
}
