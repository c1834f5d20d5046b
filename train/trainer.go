package train

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// A Trainer is a network compiled with an optimizer, a loss and metrics:
// what Keras calls a compiled model.
type Trainer struct {
	net     Network
	opt     Optimizer
	loss    Loss
	metrics []Metric
	params  [][]float32 // the parameters' backing slices, updated in place
	steps   map[stepKey]*step
}

type stepKey struct {
	batch int
	p     purpose
}

// Compile checks the pieces, sets up the optimizer's state for the
// network's parameters and returns a Trainer. Graphs are built on first
// use, once per batch size.
func Compile(net Network, opt Optimizer, loss Loss, metrics ...Metric) (*Trainer, error) {
	switch {
	case net == nil:
		return nil, errors.New("compile: nil network")
	case opt == nil:
		return nil, errors.New("compile: nil optimizer")
	case loss == nil:
		return nil, errors.New("compile: nil loss")
	}
	for i, m := range metrics {
		if m == nil {
			return nil, errors.Errorf("compile: metric %d is nil", i)
		}
	}
	if net.InputWidth() <= 0 || net.OutputWidth() <= 0 {
		return nil, errors.Errorf("compile: the network has %d inputs and %d outputs; both must be positive", net.InputWidth(), net.OutputWidth())
	}
	t := &Trainer{net: net, opt: opt, loss: loss, metrics: metrics, steps: map[stepKey]*step{}}
	var sizes []int
	for _, p := range net.Params() {
		d, ok := p.Value.Data().([]float32)
		if !ok {
			return nil, errors.Errorf("compile: parameter %s is %v; want float32", p.Name, p.Value.Dtype())
		}
		t.params = append(t.params, d)
		sizes = append(sizes, len(d))
	}
	if err := opt.Init(sizes); err != nil {
		return nil, errors.Wrap(err, "compile")
	}
	return t, nil
}

// step returns the compiled graph for a batch size and purpose, building
// it the first time.
func (t *Trainer) step(batch int, p purpose) (*step, error) {
	k := stepKey{batch, p}
	if s, ok := t.steps[k]; ok {
		return s, nil
	}
	s, err := newStep(t.net, t.loss, batch, p)
	if err != nil {
		return nil, errors.Wrapf(err, "building the graph for batches of %d", batch)
	}
	t.steps[k] = s
	return s, nil
}

// scores accumulates a loss and metric sums over samples.
type scores struct {
	loss    float64
	metrics []float64
	seen    int
}

func (t *Trainer) score(sc *scores, s *step, target []float32, rows int) {
	sc.loss += s.lossValue() * float64(rows)
	out := s.output()
	if sc.metrics == nil {
		sc.metrics = make([]float64, len(t.metrics))
	}
	for i, m := range t.metrics {
		sc.metrics[i] += m.Sum(out, target, rows, t.net.OutputWidth())
	}
	sc.seen += rows
}

// values returns the running means, named, with a prefix ("" or "val_").
func (t *Trainer) values(sc *scores, prefix string) []value {
	n := float64(max(sc.seen, 1))
	v := []value{{prefix + "loss", sc.loss / n}}
	for i, m := range t.metrics {
		v = append(v, value{prefix + m.Name(), sc.metrics[i] / n})
	}
	return v
}

// settingsFor applies opts over the defaults and checks them.
func settingsFor(opts []Option) (settings, error) {
	s := defaults()
	for _, o := range opts {
		o(&s)
	}
	switch {
	case s.batch <= 0:
		return s, errors.Errorf("batch size must be positive, got %d", s.batch)
	case s.epochs < 0:
		return s, errors.Errorf("epochs must be ≥ 0, got %d", s.epochs)
	case s.verbose < 0 || s.verbose > 2:
		return s, errors.Errorf("verbosity must be 0, 1 or 2, got %d", s.verbose)
	case !(s.valSplit >= 0 && s.valSplit < 1):
		return s, errors.Errorf("validation split must be in [0, 1), got %v", s.valSplit)
	case s.out == nil:
		return s, errors.New("nil output writer")
	}
	return s, nil
}

// batches calls f for each batch of rows of order, in turn.
func batches(order []int, size int, f func(i int, rows []int) error) error {
	for i, lo := 0, 0; lo < len(order); i, lo = i+1, lo+size {
		if err := f(i, order[lo:min(lo+size, len(order))]); err != nil {
			return err
		}
	}
	return nil
}

// load copies the given rows of d into s's bound inputs.
func (t *Trainer) load(s *step, d *dataset, rows []int) []float32 {
	in, out := t.net.InputWidth(), t.net.OutputWidth()
	for i, r := range rows {
		copy(s.x[i*in:(i+1)*in], d.x[r*in:(r+1)*in])
		if s.y != nil {
			copy(s.y[i*out:(i+1)*out], d.y[r*out:(r+1)*out])
		}
	}
	return s.y
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func steps(n, batch int) int { return (n + batch - 1) / batch }

// Predict returns the network's (rows, outputs) output for every row of
// x, computed batch by batch (BatchSize, default 32). Like Keras it shows a
// progress bar unless Verbose(0) is given.
func (t *Trainer) Predict(x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	s, err := settingsFor(opts)
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	xs, n, err := inputs(x, t.net.InputWidth())
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	d := &dataset{x: xs, n: n}
	outW := t.net.OutputWidth()
	result := make([]float32, n*outW)
	bar := newProgbar(s.out, steps(n, s.batch), s.verbose, nil)
	done := 0
	err = batches(identity(n), s.batch, func(i int, rows []int) error {
		st, err := t.step(len(rows), prediction)
		if err != nil {
			return err
		}
		t.load(st, d, rows)
		if err := st.run(); err != nil {
			return errors.Wrapf(err, "batch %d", i)
		}
		copy(result[done*outW:], st.output())
		done += len(rows)
		bar.update(i+1, nil, false)
		return nil
	})
	if err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	bar.update(steps(n, s.batch), nil, true)
	return tensor.New(tensor.WithShape(n, outW), tensor.WithBacking(result)), nil
}
