package callbacks

import (
	"fmt"
	"io"
	"math"

	"github.com/gokeras/gokeras/train"
)

// TerminateOnNaN is Keras's TerminateOnNaN callback: at the end of each
// training batch, if the loss in the logs is NaN or infinite, it prints
// "Batch B: Invalid loss, terminating training" (B from 0, as Keras) and
// stops training (train.Trainer.StopTraining): Fit ends that epoch and returns
// normally, without an error, as Keras's fit does.
type TerminateOnNaN struct {
	train.BaseCallback
	Output io.Writer // where the message goes; nil: Fit's Output
}

// OnTrainBatchEnd checks the loss.
func (c TerminateOnNaN) OnTrainBatchEnd(t *train.Trainer, batch int, logs train.Logs) error {
	if l, ok := logs["loss"]; ok && (math.IsNaN(l) || math.IsInf(l, 0)) {
		fmt.Fprintf(output(t, c.Output), "Batch %d: Invalid loss, terminating training\n", batch)
		t.StopTraining()
	}
	return nil
}
