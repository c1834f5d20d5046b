package train

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predict returns the network's (rows, outputs) output for every sample
// of x, computed batch by batch (BatchSize, default 32). x is (rows,
// input shape...), as Fit takes it. Like Keras it shows a progress bar
// unless Verbose(0) is given.
func (t *Trainer) Predict(x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	s, err := settingsFor(opts)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	xs, n, err := inputs(x, t.net.InputShape())
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	result := make([]float32, n*t.out)
	bar := newProgbar(s.out, steps(n, s.batch), s.verbose, nil)
	done := 0
	err = t.run(&dataset{x: xs, n: n}, identity(n), s.batch, prediction, func(i int, st *step, rows []int) error {
		copy(result[done*t.out:], st.output())
		done += len(rows)
		bar.update(i+1, nil, false)
		return nil
	})
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	bar.update(steps(n, s.batch), nil, true)
	return tensor.New(tensor.WithShape(n, t.out), tensor.WithBacking(result)), nil
}
