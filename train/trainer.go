package train

import (
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/pkg/errors"
)

// A Trainer is a network compiled with an optimizer, a loss and metrics:
// what Keras calls a compiled model.
//
// A Trainer runs one call at a time. Fit, Evaluate and Predict (and their
// Context forms) hold the Trainer's lock for the whole call, so calls
// from several goroutines are safe but serialised: Predict from many
// goroutines gives each goroutine its right result, one call after the
// other, not in parallel. Locked runs any function under the same lock,
// for code that reads or writes the weights (saving a model) while other
// goroutines may be training. Callbacks run with the lock held: they
// must not call Fit, Evaluate, Predict or Locked on the same Trainer,
// which would wait for ever. The accessors (Optimizer, Loss, Metrics,
// Params, Epoch, SetEpoch, StopTraining) take no lock, so callbacks may
// call them.
type Trainer struct {
	net     Network
	opt     Optimizer
	loss    Loss
	metrics []Metric
	prm     []Param     // the network's parameters, in its order
	in, out int         // values in a sample's input and output
	params  [][]float32 // the parameters' backing slices, updated in place
	steps   map[stepKey]*step
	src     *rand.PCG  // random ops' source, reseeded by Fit at every epoch
	rand    *rand.Rand // what training graphs' random ops draw from
	shuf    *rand.PCG  // the shuffle's source, seeded by Fit
	shuffle *rand.Rand

	mu    sync.Mutex   // held by every call and by Locked
	epoch atomic.Int64 // epochs trained, over all Fit calls
	stop  atomic.Bool  // set by StopTraining, cleared when Fit starts
	w     io.Writer    // the running call's Output, for callbacks' messages
}

type stepKey struct {
	batch int
	p     purpose
}

// Fit's generators. The shuffle is one stream for the whole of a Fit,
// rand.PCG(seed, shuffleStream) (graph.NewRand(seed)), each epoch
// shuffling the previous epoch's order; a Fit that starts at InitialEpoch
// n first replays the n skipped shuffles, which costs a few milliseconds
// an epoch and leaves the order and the generator where an uninterrupted
// run has them. What random ops such as dropout draw, a number of values
// that depends on the graph, is instead reseeded at the start of every
// epoch (epoch counted from 0) as rand.PCG(seed, dropoutStream ^ epoch),
// so that it depends only on the seed and the epoch.
const (
	shuffleStream = 0x9e3779b97f4a7c15
	dropoutStream = 0x6a09e667f3bcc909
)

// startShuffle sets the shuffle for a Fit from seed, with order the
// identity shuffled as the epochs before initial left it.
func (t *Trainer) startShuffle(seed uint64, order []int, initial int, shuffle bool) {
	t.shuf.Seed(seed, shuffleStream)
	for i := range order {
		order[i] = i
	}
	for e := 0; e < initial && shuffle; e++ {
		t.shuffleOrder(order)
	}
}

// shuffleOrder shuffles order in place with the shuffle's generator.
func (t *Trainer) shuffleOrder(order []int) {
	t.shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
}

// reseed sets the random ops' generator for an epoch; it allocates
// nothing.
func (t *Trainer) reseed(seed uint64, epoch int) {
	t.src.Seed(seed, dropoutStream^uint64(epoch))
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
	shape := net.InputShape()
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("compile: the network's input shape %v has a dimension that is not positive", shape)
		}
	}
	if len(shape) == 0 || net.OutputWidth() <= 0 {
		return nil, errors.Errorf("compile: the network takes samples of shape %v and gives %d outputs; both must be positive", shape, net.OutputWidth())
	}
	src, shuf := rand.NewPCG(0, dropoutStream), rand.NewPCG(0, shuffleStream)
	t := &Trainer{net: net, opt: opt, loss: loss, metrics: metrics, in: size(shape), out: net.OutputWidth(),
		steps: map[stepKey]*step{}, src: src, rand: rand.New(src), shuf: shuf, shuffle: rand.New(shuf)}
	var sizes []int
	for _, p := range net.Params() {
		if p.Value == nil {
			return nil, errors.Errorf("compile: parameter %s has no value", p.Name)
		}
		d, ok := p.Value.Data().([]float32)
		if !ok {
			return nil, errors.Errorf("compile: parameter %s is %v; want float32", p.Name, p.Value.Dtype())
		}
		t.prm = append(t.prm, p)
		t.params = append(t.params, d)
		sizes = append(sizes, len(d))
	}
	if err := opt.Init(sizes); err != nil {
		return nil, errors.Wrap(err, "compile")
	}
	return t, nil
}

// Optimizer returns the optimizer given to Compile, whose state training
// updates.
func (t *Trainer) Optimizer() Optimizer { return t.opt }

// Loss returns the loss given to Compile.
func (t *Trainer) Loss() Loss { return t.loss }

// Metrics returns a copy of the list of metrics given to Compile, in
// order.
func (t *Trainer) Metrics() []Metric { return append([]Metric(nil), t.metrics...) }

// Params returns a copy of the list of the network's parameters, in the
// network's order, which is the order of the optimizer's state slices.
// The tensors are the network's own, which training updates in place:
// read or write their values under Locked when other goroutines may be
// training.
func (t *Trainer) Params() []Param { return append([]Param(nil), t.prm...) }

// Epoch returns the number of epochs trained so far, over all Fit calls,
// counted from what SetEpoch last set (0 after Compile). It advances by
// one when an epoch's training and validation are done, before the
// epoch-end callbacks run, so a checkpoint saved by one counts the epoch
// it saves; an epoch ended early by StopTraining counts, a cancelled one
// does not. After Fit(Epochs(2)), Fit(InitialEpoch(t.Epoch()), Epochs(5))
// continues the run.
func (t *Trainer) Epoch() int { return int(t.epoch.Load()) }

// SetEpoch sets the epoch counter, for a model loaded with its training
// state. A negative n is an error, leaving the counter as it was.
func (t *Trainer) SetEpoch(n int) error {
	if n < 0 {
		return errors.Errorf("SetEpoch: the epoch count must be ≥ 0, got %d", n)
	}
	t.epoch.Store(int64(n))
	return nil
}

// StopTraining asks the running Fit to stop, as a Keras callback does by
// setting model.stop_training: Fit finishes the current batch, then still
// ends that epoch (validation, epoch-end callbacks, a History entry for
// the batches trained) and returns normally. Callbacks call it; it is
// safe from any goroutine. Fit clears the request when it starts, so a
// call while no Fit runs has no effect.
func (t *Trainer) StopTraining() { t.stop.Store(true) }

// Locked runs f holding the Trainer's lock, the one Fit, Evaluate and
// Predict hold for their whole call: f sees the weights and the
// optimizer's state as a finished call left them, and no call starts
// until f returns. A nil f does nothing. Callbacks already run with the
// lock held: calling Locked from one, or from anything a callback calls
// (such as ModelCheckpoint's Save), waits for ever.
func (t *Trainer) Locked(f func()) {
	if f == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

// begin takes the lock for a call and notes where it writes; the
// returned function releases both.
func (t *Trainer) begin(w io.Writer) func() {
	t.mu.Lock()
	t.w = w
	return func() {
		t.w = nil
		t.mu.Unlock()
	}
}

// writer returns w, or, when nil, the running call's Output.
func (t *Trainer) writer(w io.Writer) io.Writer {
	switch {
	case w != nil:
		return w
	case t.w != nil:
		return t.w
	}
	return io.Discard
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

// errStop is what a step's after function returns to end the loop early,
// without error, once StopTraining was called.
var errStop = errors.New("training stopped")

// run runs the graph for purpose p on the rows of d taken in the given
// order, size at a time (the last batch holds what is left), calling
// before (unless nil) ahead of each step and after after it, with the
// batch's index from 0 (after also gets the graph and the rows). Before
// each step it checks ctx, without allocating: once ctx is done it
// returns an error wrapping ctx.Err() that names the batch not run, so no
// step is cut in half. An error names the batch, counting from 1 of the
// total, as the progress bar does; errStop from after ends the loop and
// is returned as it is.
func (t *Trainer) run(ctx context.Context, d *dataset, order []int, size int, p purpose,
	before func(i int) error, after func(i int, st *step, rows []int) error) error {
	total := steps(len(order), size)
	done := ctx.Done()
	for i, lo := 0, 0; lo < len(order); i, lo = i+1, lo+size {
		select {
		case <-done:
			return errors.Wrapf(ctx.Err(), "cancelled before batch %d of %d", i+1, total)
		default:
		}
		if before != nil {
			if err := before(i); err != nil {
				return errors.Wrapf(err, "batch %d of %d", i+1, total)
			}
		}
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
			if err == errStop {
				return err
			}
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
	for i, o := range opts {
		if o == nil {
			return s, errors.Errorf("option %d is nil", i)
		}
		o(&s)
	}
	switch {
	case s.batch <= 0:
		return s, errors.Errorf("batch size must be positive, got %d", s.batch)
	case s.epochs < 0:
		return s, errors.Errorf("epochs must be ≥ 0, got %d", s.epochs)
	case s.initialEpoch < 0:
		return s, errors.Errorf("initial epoch must be ≥ 0, got %d", s.initialEpoch)
	case s.verbose < 0 || s.verbose > 2:
		return s, errors.Errorf("verbosity must be 0, 1 or 2, got %d", s.verbose)
	case !(s.valSplit >= 0 && s.valSplit < 1):
		return s, errors.Errorf("validation split must be in [0, 1), got %v", s.valSplit)
	case s.out == nil:
		return s, errors.New("nil output writer")
	}
	for i, c := range s.callbacks {
		if c == nil {
			return s, errors.Errorf("callback %d is nil", i)
		}
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
