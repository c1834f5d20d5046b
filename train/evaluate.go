package train

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Evaluate returns the mean loss over all samples of x and y and the mean of
// each metric, in the order given to Compile, computed in batches
// (BatchSize, default 32; 10,000 rows make 313 steps). With Verbose(1),
// the default, it prints Keras's progress line.
func (t *Trainer) Evaluate(x, y *tensor.Dense, opts ...Option) (loss float64, metrics []float64, err error) {
	s, err := settingsFor(opts)
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	d, err := newDataset(t.net, t.loss, x, y)
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	sc, err := t.evaluate(d, s, newProgbar(s.out, steps(d.n, s.batch), s.verbose, nil))
	if err != nil {
		return 0, nil, errors.Wrap(err, "evaluate")
	}
	v := t.values(sc, "")
	for _, m := range v[1:] {
		metrics = append(metrics, m.v)
	}
	return v[0].v, metrics, nil
}

// evaluate scores d batch by batch, showing progress on bar (may be nil).
func (t *Trainer) evaluate(d *dataset, s settings, bar *progbar) (*scores, error) {
	sc := &scores{}
	err := t.run(d, identity(d.n), s.batch, evaluation, func(i int, st *step, rows []int) error {
		t.score(sc, st, len(rows))
		if bar != nil {
			bar.update(i+1, t.values(sc, ""), false)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if bar != nil {
		bar.update(steps(d.n, s.batch), t.values(sc, ""), true)
	}
	return sc, nil
}
