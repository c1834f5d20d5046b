package train

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Evaluate returns the mean loss over all samples of x and y and the mean
// of each metric; it is EvaluateContext with a context that is never
// cancelled.
func (t *Trainer) Evaluate(x, y *tensor.Dense, opts ...Option) (loss float64, metrics []float64, err error) {
	return t.EvaluateContext(context.Background(), x, y, opts...)
}

// EvaluateContext returns the mean loss over all samples of x and y and
// the mean of each metric, in the order given to Compile, computed in
// batches (BatchSize, default 32; 10,000 rows make 313 steps). With
// Verbose(1), the default, it prints Keras's progress line. Callbacks get
// the test hooks (see Callback).
//
// Before each step it checks ctx; once ctx is done it returns an error
// wrapping ctx.Err() that names the batch it stopped before. Bad input
// (rows, widths, labels, values, options, a nil ctx) is an error naming
// it. The call holds the Trainer's lock (see Trainer).
//
// EvaluateContext is for a network of one input and one output;
// EvaluateMulti takes several.
func (t *Trainer) EvaluateContext(ctx context.Context, x, y *tensor.Dense, opts ...Option) (loss float64, metrics []float64, err error) {
	if err := t.single("evaluate", "EvaluateMulti"); err != nil {
		return 0, nil, err
	}
	return t.EvaluateMulti(ctx, []*tensor.Dense{x}, []*tensor.Dense{y}, opts...)
}

// EvaluateMulti is EvaluateContext for a network of any number of inputs
// and outputs, given as FitMulti takes them. It returns the total loss
// and then the values Names lists after "loss": for several outputs,
// each output's loss, then each output's metrics.
func (t *Trainer) EvaluateMulti(ctx context.Context, xs, ys []*tensor.Dense, opts ...Option) (loss float64, metrics []float64, err error) {
	if ctx == nil {
		return 0, nil, errors.New("evaluate: nil context")
	}
	s, err := settingsFor(opts)
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	defer t.begin(s.out)()
	d, err := t.dataset(xs, ys, true)
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	sc, err := t.evaluate(ctx, d, s, newProgbar(s.out, steps(d.n, s.batch), s.verbose, nil))
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	v := t.values(sc, "")
	for _, m := range v[1:] {
		metrics = append(metrics, m.v)
	}
	return v[0].v, metrics, nil
}

// evaluate scores d batch by batch, showing progress on bar (may be nil)
// and calling s's callbacks' test hooks.
func (t *Trainer) evaluate(ctx context.Context, d *dataset, s settings, bar *progbar) (*scores, error) {
	cbs := s.callbacks
	for i, c := range cbs {
		if err := c.OnTestBegin(t); err != nil {
			return nil, hookError(err, i, c, "OnTestBegin")
		}
	}
	var logs Logs
	var before func(int) error
	if len(cbs) > 0 {
		logs = Logs{}
		before = func(i int) error {
			for j, c := range cbs {
				if err := c.OnTestBatchBegin(t, i); err != nil {
					return hookError(err, j, c, "OnTestBatchBegin")
				}
			}
			return nil
		}
	}
	sc := &scores{}
	err := t.run(ctx, d, identity(d.n), s.batch, evaluation, before, func(i int, st *step, rows []int) error {
		t.score(sc, st, len(rows))
		if bar == nil && len(cbs) == 0 {
			return nil
		}
		vs := t.values(sc, "")
		if bar != nil {
			bar.update(i+1, vs, false)
		}
		if len(cbs) > 0 {
			fill(logs, vs)
			for j, c := range cbs {
				if err := c.OnTestBatchEnd(t, i, logs); err != nil {
					return hookError(err, j, c, "OnTestBatchEnd")
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if bar != nil {
		bar.update(steps(d.n, s.batch), t.values(sc, ""), true)
	}
	if len(cbs) > 0 {
		end := Logs{}
		fill(end, t.values(sc, ""))
		for i, c := range cbs {
			if err := c.OnTestEnd(t, end); err != nil {
				return nil, hookError(err, i, c, "OnTestEnd")
			}
		}
	}
	return sc, nil
}
