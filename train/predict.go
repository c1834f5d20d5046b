package train

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predict returns the network's (rows, outputs) output for every sample
// of x; it is PredictContext with a context that is never cancelled.
func (t *Trainer) Predict(x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	return t.PredictContext(context.Background(), x, opts...)
}

// PredictContext returns the network's (rows, outputs) output for every
// sample of x, computed batch by batch (BatchSize, default 32). x is
// (rows, input shape...), as Fit takes it. Like Keras it shows a progress
// bar unless Verbose(0) is given. Callbacks get the predict hooks (see
// Callback).
//
// Before each step it checks ctx; once ctx is done it returns an error
// wrapping ctx.Err() that names the batch it stopped before. Bad input
// (shape, values, options, a nil ctx) is an error naming it. The call
// holds the Trainer's lock (see Trainer), so concurrent calls are safe
// and run one after the other.
//
// PredictContext is for a network of one input and one output;
// PredictMulti takes several.
func (t *Trainer) PredictContext(ctx context.Context, x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	if err := t.single("predict", "PredictMulti"); err != nil {
		return nil, err
	}
	out, err := t.PredictMulti(ctx, []*tensor.Dense{x}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PredictMulti is PredictContext for a network of any number of inputs
// and outputs: xs holds one tensor per input, as FitMulti takes them, and
// it returns one (rows, width) tensor per output, in the network's order.
func (t *Trainer) PredictMulti(ctx context.Context, xs []*tensor.Dense, opts ...Option) ([]*tensor.Dense, error) {
	if ctx == nil {
		return nil, errors.New("predict: nil context")
	}
	s, err := settingsFor(opts)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	defer t.begin(s.out)()
	d, err := t.dataset(xs, nil, false)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	n := d.n
	cbs := s.callbacks
	for i, c := range cbs {
		if err := c.OnPredictBegin(t); err != nil {
			return nil, errors.Wrap(hookError(err, i, c, "OnPredictBegin"), "predict")
		}
	}
	var before func(int) error
	if len(cbs) > 0 {
		before = func(i int) error {
			for j, c := range cbs {
				if err := c.OnPredictBatchBegin(t, i); err != nil {
					return hookError(err, j, c, "OnPredictBatchBegin")
				}
			}
			return nil
		}
	}
	results := make([][]float32, len(t.outs))
	for k, w := range t.outs {
		results[k] = make([]float32, n*w)
	}
	batchOuts := make([][]float32, len(t.outs))
	bar := newProgbar(s.out, steps(n, s.batch), s.verbose, nil)
	done := 0
	err = t.run(ctx, d, identity(n), s.batch, prediction, before, func(i int, st *step, rows []int) error {
		for k, w := range t.outs {
			out := st.output(k)
			copy(results[k][done*w:], out)
			batchOuts[k] = out[:len(rows)*w]
		}
		done += len(rows)
		bar.update(i+1, nil, false)
		for j, c := range cbs {
			if err := c.OnPredictBatchEnd(t, i, batchOuts); err != nil {
				return hookError(err, j, c, "OnPredictBatchEnd")
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	bar.update(steps(n, s.batch), nil, true)
	for i, c := range cbs {
		if err := c.OnPredictEnd(t); err != nil {
			return nil, errors.Wrap(hookError(err, i, c, "OnPredictEnd"), "predict")
		}
	}
	outs := make([]*tensor.Dense, len(t.outs))
	for k, w := range t.outs {
		outs[k] = tensor.New(tensor.WithShape(n, w), tensor.WithBacking(results[k]))
	}
	return outs, nil
}
