package callbacks

import (
	"fmt"
	"io"

	"github.com/gokeras/gokeras/train"
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
	train.BaseCallback
	Schedule func(epoch int, lr float32) float32 // the epoch's rate from the epoch and the current rate; required
	Verbose  int                                 // above 0: say what it sets
	Output   io.Writer                           // where messages go; nil: Fit's Output
}

// OnTrainBegin checks that there is a Schedule.
func (c LearningRateScheduler) OnTrainBegin(*train.Trainer) error {
	if c.Schedule == nil {
		return errors.New("LearningRateScheduler: nil Schedule")
	}
	return nil
}

// OnEpochBegin sets the epoch's learning rate.
func (c LearningRateScheduler) OnEpochBegin(t *train.Trainer, epoch int) error {
	lr := c.Schedule(epoch, learningRate(t.Optimizer()))
	if err := t.Optimizer().SetLearningRate(lr); err != nil {
		return errors.Wrapf(err, "LearningRateScheduler: the schedule's rate for epoch %d", epoch+1)
	}
	if c.Verbose > 0 {
		fmt.Fprintf(output(t, c.Output), "Epoch %d: LearningRateScheduler setting learning rate to %s.\n", epoch+1, pyRepr(float64(lr)))
	}
	return nil
}

// OnEpochEnd adds "learning_rate" to the logs.
func (c LearningRateScheduler) OnEpochEnd(t *train.Trainer, _ int, logs train.Logs) error {
	logs["learning_rate"] = float64(learningRate(t.Optimizer()))
	return nil
}
