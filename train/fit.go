package train

import (
	"fmt"
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Fit trains the network on x (rows, input shape...) and y (targets as
// the loss wants them) and returns the History of per-epoch means.
//
// Each epoch shuffles the rows (unless Shuffle(false)) with a generator
// seeded by Seed (which also seeds what random layers such as dropout
// draw), then takes ceil(rows/BatchSize) steps, the last one on
// the rows left over (60,000 rows in batches of 128: 469 steps, the last
// of 96). Each step runs the forward and backward pass and applies the
// optimizer. The loss and metrics shown and recorded are means over the
// samples seen so far in the epoch, as in Keras. With ValidationData or
// ValidationSplit the validation loss and metrics are computed at each
// epoch's end.
//
// All input is checked before training starts; a bad row count, width,
// label or value is an error naming it.
func (t *Trainer) Fit(x, y *tensor.Dense, opts ...Option) (*History, error) {
	s, err := settingsFor(opts)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	d, err := newDataset(t.net, t.loss, x, y)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	val, d, err := t.validationSet(s, d)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	rng := graph.NewRand(s.seed)
	t.src.Seed(s.seed, dropoutStream)
	order := identity(d.n)
	h := newHistory()
	for epoch := 0; epoch < s.epochs; epoch++ {
		if s.verbose == 1 {
			fmt.Fprintf(s.out, "Epoch %d/%d\n", epoch+1, s.epochs)
		}
		if s.shuffle {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		total := steps(d.n, s.batch)
		bar := newProgbar(s.out, total, s.verbose, nil)
		sc := &scores{}
		err := t.run(d, order, s.batch, training, func(i int, st *step, rows []int) error {
			t.opt.Update(t.params, st.gradients())
			t.score(sc, st, len(rows))
			bar.update(i+1, t.values(sc, ""), false)
			return nil
		})
		if err != nil {
			return h, errors.Wrapf(err, "fit: epoch %d", epoch+1)
		}
		values := t.values(sc, "")
		if val != nil {
			vs, err := t.evaluate(val, s, nil)
			if err != nil {
				return h, errors.Wrapf(err, "fit: validating after epoch %d", epoch+1)
			}
			values = append(values, t.values(vs, "val_")...)
		}
		bar.update(total, values, true)
		h.Epochs = append(h.Epochs, epoch)
		for _, v := range values {
			h.add(v.name, v.v)
		}
	}
	return h, nil
}

// validationSet returns the validation data the settings ask for and the
// training data left.
func (t *Trainer) validationSet(s settings, d *dataset) (val, rest *dataset, err error) {
	switch {
	case s.valX != nil || s.valY != nil:
		val, err = newDataset(t.net, t.loss, s.valX, s.valY)
		if err != nil {
			return nil, nil, errors.Wrap(err, "validation data")
		}
		return val, d, nil
	case s.valSplit > 0:
		at := int(math.Ceil(float64(d.n) * (1 - s.valSplit)))
		if at <= 0 || at >= d.n {
			return nil, nil, errors.Errorf("validation split %v of %d rows leaves %d for training and %d for validation; both need at least one", s.valSplit, d.n, at, d.n-at)
		}
		return d.slice(at, d.n, t.in, t.out), d.slice(0, at, t.in, t.out), nil
	}
	return nil, d, nil
}
