package train

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pkg/errors"
)

// LearningRateScheduler is Keras's LearningRateScheduler callback: at
// each epoch's start it sets the optimizer's learning rate to
// Schedule(epoch, current rate), epoch counted from 0, and at the epoch's
// end it adds the rate to the logs as "learning_rate" (so History records
// it, as in Keras). A nil Schedule is an error at OnTrainBegin; a rate
// from Schedule that is not positive and finite is an error naming the
// epoch, which aborts Fit. With Verbose > 0 it prints "Epoch N:
// LearningRateScheduler setting learning rate to R." (N from 1).
type LearningRateScheduler struct {
	BaseCallback
	Schedule func(epoch int, lr float32) float32
	Verbose  int
	Output   io.Writer // where messages go; nil: Fit's Output
}

// OnTrainBegin checks that there is a Schedule.
func (c LearningRateScheduler) OnTrainBegin(*Trainer) error {
	if c.Schedule == nil {
		return errors.New("LearningRateScheduler: nil Schedule")
	}
	return nil
}

// OnEpochBegin sets the epoch's learning rate.
func (c LearningRateScheduler) OnEpochBegin(t *Trainer, epoch int) error {
	lr := c.Schedule(epoch, learningRate(t.opt))
	if err := t.opt.SetLearningRate(lr); err != nil {
		return errors.Wrapf(err, "LearningRateScheduler: the schedule's rate for epoch %d", epoch+1)
	}
	if c.Verbose > 0 {
		fmt.Fprintf(t.writer(c.Output), "Epoch %d: LearningRateScheduler setting learning rate to %s.\n", epoch+1, pyRepr(float64(lr)))
	}
	return nil
}

// OnEpochEnd adds "learning_rate" to the logs.
func (c LearningRateScheduler) OnEpochEnd(t *Trainer, _ int, logs Logs) error {
	logs["learning_rate"] = float64(learningRate(t.opt))
	return nil
}

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
	BaseCallback
	Monitor  string  // the logs' name to watch; "" means "val_loss"
	Factor   float64 // new rate = rate·Factor
	Patience int     // epochs without improvement before reducing
	Verbose  int     // above 0: say when it reduces
	Mode     string  // "auto" (or ""), "min" or "max"
	MinDelta float64 // the least change that counts as an improvement
	Cooldown int     // epochs to wait after a reduction
	MinLR    float64 // the lowest rate it sets
	Output   io.Writer

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
func (c *ReduceLROnPlateau) OnTrainBegin(*Trainer) error {
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
func (c *ReduceLROnPlateau) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	logs["learning_rate"] = float64(learningRate(t.opt))
	w := t.writer(c.Output)
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
		old := float64(learningRate(t.opt))
		if !(old > float64(float32(c.MinLR))) {
			return nil
		}
		lr := math.Max(old*c.Factor, c.MinLR)
		if err := t.opt.SetLearningRate(float32(lr)); err != nil {
			return errors.Wrapf(err, "ReduceLROnPlateau: epoch %d", epoch+1)
		}
		if c.Verbose > 0 {
			fmt.Fprintf(w, "Epoch %d: ReduceLROnPlateau reducing learning rate to %s.\n", epoch+1, pyRepr(lr))
		}
		c.cooldown, c.wait = c.Cooldown, 0
	}
	return nil
}

// TerminateOnNaN is Keras's TerminateOnNaN callback: at the end of each
// training batch, if the loss in the logs is NaN or infinite, it prints
// "Batch B: Invalid loss, terminating training" (B from 0, as Keras) and
// stops training (Trainer.StopTraining): Fit ends that epoch and returns
// normally, without an error, as Keras's fit does.
type TerminateOnNaN struct {
	BaseCallback
	Output io.Writer // where the message goes; nil: Fit's Output
}

// OnTrainBatchEnd checks the loss.
func (c TerminateOnNaN) OnTrainBatchEnd(t *Trainer, batch int, logs Logs) error {
	if l, ok := logs["loss"]; ok && (math.IsNaN(l) || math.IsInf(l, 0)) {
		fmt.Fprintf(t.writer(c.Output), "Batch %d: Invalid loss, terminating training\n", batch)
		t.StopTraining()
	}
	return nil
}
