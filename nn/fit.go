package nn

import (
	"context"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Compile builds the model with seed 0 if Build was not called, and
// prepares it for training with an optimizer, a loss and metrics, as
// Keras's model.compile; a model of several outputs trains each with
// the loss and scores each with the metrics (CompileObjectives sets them
// per output). Compiling again starts the optimizer afresh.
func (m *Model) Compile(opt train.Optimizer, loss train.Loss, metrics ...train.Metric) error {
	if loss == nil {
		return errors.New("compile: nil loss")
	}
	objs := make([]train.Objective, len(m.outputsFor()))
	for i := range objs {
		objs[i] = train.Objective{Loss: loss, Metrics: metrics}
	}
	return m.CompileObjectives(opt, objs...)
}

// outputsFor returns the outputs Compile gives objectives to: those of a
// built model, or the one of a Sequential.
func (m *Model) outputsFor() []*Tensor {
	if m.sequential && !m.built {
		return make([]*Tensor, 1)
	}
	return m.outputs
}

// CompileObjectives is Compile with an objective per output, in the
// order of Outputs: each output's loss (or none), the loss's weight in
// the total, and its metrics, as Keras's compile takes loss,
// loss_weights and metrics per output; see train.CompileObjectives.
func (m *Model) CompileObjectives(opt train.Optimizer, objs ...train.Objective) error {
	if !m.built {
		if err := m.Build(0); err != nil {
			return errors.Wrap(err, "compile")
		}
	}
	t, err := train.CompileObjectives(network{m}, opt, objs...)
	if err != nil {
		return err
	}
	m.trainer = t
	return nil
}

// Compiled reports whether the model has been compiled, by Compile or by
// Load from a file with training state, and so can Fit, Evaluate and
// Predict.
func (m *Model) Compiled() bool { return m.trainer != nil }

// Trainer returns the train.Trainer Compile (or Load) made: the
// optimizer, objectives, epoch count and the lock (Trainer.Locked) that
// Fit holds. It is nil before Compile.
func (m *Model) Trainer() *train.Trainer { return m.trainer }

func (m *Model) compiled(what string) error {
	if m.trainer == nil {
		return errors.Errorf("%s: the model is not compiled; call Compile first", what)
	}
	return nil
}

// Epoch returns the number of epochs the model has been trained, over all
// Fit calls and across Save and Load (see train.Trainer.Epoch): give it
// to train.InitialEpoch to go on training a loaded model. It is 0 before
// Compile.
func (m *Model) Epoch() int {
	if m.trainer == nil {
		return 0
	}
	return m.trainer.Epoch()
}

// Fit trains a model of one input and one output; see
// train.Trainer.Fit. It is an error before Compile.
func (m *Model) Fit(x, y *tensor.Dense, opts ...train.Option) (*train.History, error) {
	return m.FitContext(context.Background(), x, y, opts...)
}

// FitContext is Fit that stops before the next step once ctx is done; see
// train.Trainer.FitContext. It returns the History of the epochs
// finished and an error wrapping ctx.Err(); the weights and the
// optimizer's state are as the last finished step left them, so Save
// then keeps them. It is an error before Compile.
func (m *Model) FitContext(ctx context.Context, x, y *tensor.Dense, opts ...train.Option) (*train.History, error) {
	if err := m.compiled("fit"); err != nil {
		return nil, err
	}
	return m.trainer.FitContext(ctx, x, y, opts...)
}

// FitMulti trains a model of any number of inputs and outputs: xs holds
// one tensor per input, ys one per output, in the order of Inputs and
// Outputs; see train.Trainer.FitMulti. It is an error before Compile.
func (m *Model) FitMulti(ctx context.Context, xs, ys []*tensor.Dense, opts ...train.Option) (*train.History, error) {
	if err := m.compiled("fit"); err != nil {
		return nil, err
	}
	return m.trainer.FitMulti(ctx, xs, ys, opts...)
}

// Evaluate returns the loss and the metrics, in Compile's order, on x and
// y, for a model of one input and one output; see
// train.Trainer.Evaluate. It is an error before Compile.
func (m *Model) Evaluate(x, y *tensor.Dense, opts ...train.Option) (loss float64, metrics []float64, err error) {
	return m.EvaluateContext(context.Background(), x, y, opts...)
}

// EvaluateContext is Evaluate that stops before the next step once ctx
// is done, with an error wrapping ctx.Err(); see
// train.Trainer.EvaluateContext. It is an error before Compile.
func (m *Model) EvaluateContext(ctx context.Context, x, y *tensor.Dense, opts ...train.Option) (loss float64, metrics []float64, err error) {
	if err := m.compiled("evaluate"); err != nil {
		return 0, nil, err
	}
	return m.trainer.EvaluateContext(ctx, x, y, opts...)
}

// EvaluateMulti is Evaluate for a model of any number of inputs and
// outputs, given as FitMulti takes them; the values after the loss are
// those train.Trainer.Names lists. It is an error before Compile.
func (m *Model) EvaluateMulti(ctx context.Context, xs, ys []*tensor.Dense, opts ...train.Option) (loss float64, metrics []float64, err error) {
	if err := m.compiled("evaluate"); err != nil {
		return 0, nil, err
	}
	return m.trainer.EvaluateMulti(ctx, xs, ys, opts...)
}

// Predict returns the output for every sample of x, for a model of one
// input and one output; see train.Trainer.Predict. Like Keras it shows a
// progress bar: pass train.Verbose(0) for none. It is an error before
// Compile.
func (m *Model) Predict(x *tensor.Dense, opts ...train.Option) (*tensor.Dense, error) {
	return m.PredictContext(context.Background(), x, opts...)
}

// PredictContext is Predict that stops before the next step once ctx is
// done, with an error wrapping ctx.Err(); see
// train.Trainer.PredictContext. It is an error before Compile.
func (m *Model) PredictContext(ctx context.Context, x *tensor.Dense, opts ...train.Option) (*tensor.Dense, error) {
	if err := m.compiled("predict"); err != nil {
		return nil, err
	}
	return m.trainer.PredictContext(ctx, x, opts...)
}

// PredictMulti returns every output for every sample of xs, one tensor
// per input, for a model of any number of inputs and outputs; see
// train.Trainer.PredictMulti. It is an error before Compile.
func (m *Model) PredictMulti(ctx context.Context, xs []*tensor.Dense, opts ...train.Option) ([]*tensor.Dense, error) {
	if err := m.compiled("predict"); err != nil {
		return nil, err
	}
	return m.trainer.PredictMulti(ctx, xs, opts...)
}
