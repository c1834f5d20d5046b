package train

import (
	"math/rand/v2"

	"github.com/pkg/errors"
)

// A Trainer is a network compiled with an optimizer, a loss and metrics:
// what Keras calls a compiled model.
type Trainer struct {
	net     Network
	opt     Optimizer
	loss    Loss
	metrics []Metric
	in, out int         // values in a sample's input and output
	params  [][]float32 // the parameters' backing slices, updated in place
	steps   map[stepKey]*step
	src     *rand.PCG  // reseeded by Fit
	rand    *rand.Rand // what training graphs' random ops draw from
}

type stepKey struct {
	batch int
	p     purpose
}

// dropoutStream is the PCG stream of the generator random ops draw from,
// so that their numbers differ from the shuffling's for the same seed.
const dropoutStream = 0x6a09e667f3bcc909

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
	shape := net.InputShape()
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("compile: the network's input shape %v has a dimension that is not positive", shape)
		}
	}
	if len(shape) == 0 || net.OutputWidth() <= 0 {
		return nil, errors.Errorf("compile: the network takes samples of shape %v and gives %d outputs; both must be positive", shape, net.OutputWidth())
	}
	src := rand.NewPCG(0, dropoutStream)
	t := &Trainer{net: net, opt: opt, loss: loss, metrics: metrics, in: size(shape), out: net.OutputWidth(),
		steps: map[stepKey]*step{}, src: src, rand: rand.New(src)}
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
	s, err := newStep(t.net, t.loss, batch, p, t.rand)
	if err != nil {
		return nil, errors.Wrapf(err, "building the graph for batches of %d", batch)
	}
	t.steps[k] = s
	return s, nil
}

// run runs the graph for purpose p on the rows of d taken in the given
// order, size at a time (the last batch holds what is left), calling after
// each step with the batch's index from 0, its graph and its rows. An
// error names the batch, counting from 1 of the total, as the progress
// bar does.
func (t *Trainer) run(d *dataset, order []int, size int, p purpose, after func(i int, st *step, rows []int) error) error {
	total := steps(len(order), size)
	for i, lo := 0, 0; lo < len(order); i, lo = i+1, lo+size {
		rows := order[lo:min(lo+size, len(order))]
		st, err := t.step(len(rows), p)
		if err != nil {
			return err
		}
		t.load(st, d, rows)
		if err := st.run(); err != nil {
			return errors.Wrapf(err, "batch %d of %d", i+1, total)
		}
		if err := after(i, st, rows); err != nil {
			return errors.Wrapf(err, "batch %d of %d", i+1, total)
		}
	}
	return nil
}

// load copies the given rows of d into s's bound inputs (and targets, if
// the graph has them).
func (t *Trainer) load(s *step, d *dataset, rows []int) {
	in, out := t.in, t.out
	for i, r := range rows {
		copy(s.x[i*in:(i+1)*in], d.x[r*in:(r+1)*in])
		if s.y != nil {
			copy(s.y[i*out:(i+1)*out], d.y[r*out:(r+1)*out])
		}
	}
}

// scores accumulates a loss and metric sums over samples.
type scores struct {
	loss    float64
	metrics []float64
	seen    int
}

// score adds a step's loss and metrics on its rows to sc.
func (t *Trainer) score(sc *scores, s *step, rows int) {
	sc.loss += s.lossValue() * float64(rows)
	out := s.output()
	if sc.metrics == nil {
		sc.metrics = make([]float64, len(t.metrics))
	}
	for i, m := range t.metrics {
		sc.metrics[i] += m.Sum(out, s.y, rows, t.out)
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

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func steps(n, batch int) int { return (n + batch - 1) / batch }
