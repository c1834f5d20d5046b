package nn

import (
	"context"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// FitContext is Fit that stops before the next step once ctx is done; see
// train.Trainer.FitContext. It returns the History of the epochs
// finished and an error wrapping ctx.Err(); the weights and the
// optimizer's state are as the last finished step left them, so Save
// then keeps them. It is an error before Compile.
func (m *Sequential) FitContext(ctx context.Context, x, y *tensor.Dense, opts ...train.Option) (*train.History, error) {
	if err := m.compiled("fit"); err != nil {
		return nil, err
	}
	return m.trainer.FitContext(ctx, x, y, opts...)
}

// EvaluateContext is Evaluate that stops before the next step once ctx
// is done, with an error wrapping ctx.Err(); see
// train.Trainer.EvaluateContext. It is an error before Compile.
func (m *Sequential) EvaluateContext(ctx context.Context, x, y *tensor.Dense, opts ...train.Option) (loss float64, metrics []float64, err error) {
	if err := m.compiled("evaluate"); err != nil {
		return 0, nil, err
	}
	return m.trainer.EvaluateContext(ctx, x, y, opts...)
}

// PredictContext is Predict that stops before the next step once ctx is
// done, with an error wrapping ctx.Err(); see
// train.Trainer.PredictContext. It is an error before Compile.
func (m *Sequential) PredictContext(ctx context.Context, x *tensor.Dense, opts ...train.Option) (*tensor.Dense, error) {
	if err := m.compiled("predict"); err != nil {
		return nil, err
	}
	return m.trainer.PredictContext(ctx, x, opts...)
}

// Checkpoint returns Keras's ModelCheckpoint for this model: given to Fit
// with train.Callbacks, it saves the whole model (as Save does, and as
// atomically) to path after every epoch, or, with saveBestOnly, only
// after epochs that improve the monitored value ("val_loss" when monitor
// is ""; the mode follows from the name, as Keras's "auto" does). Path
// may hold format fields such as {epoch:02d} or {val_loss:.2f}; see
// train.ModelCheckpoint, whose other fields (Mode, Verbose, Output) may
// be set on the result. A bad path or monitor is an error from Fit; so
// is a failed save, which stops the training and leaves the previous
// file as it was.
//
// The checkpoint saves from inside Fit, which holds the trainer's lock:
// it writes the weights as the finished epoch left them without taking
// the lock again (which would wait for ever).
func (m *Sequential) Checkpoint(path, monitor string, saveBestOnly bool) *train.ModelCheckpoint {
	return &train.ModelCheckpoint{Path: path, Monitor: monitor, SaveBestOnly: saveBestOnly,
		Save: func(p string) error {
			if err := m.save(p, true, false); err != nil {
				return errors.Wrapf(err, "save %s", p)
			}
			return nil
		}}
}
