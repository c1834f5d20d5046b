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
// which would wait for ever. The accessors (Optimizer, Objectives,
// Names, Network, Params, Epoch, SetEpoch, StopTraining, StopRequested,
// Output) take no lock, so callbacks may call them.
type Trainer struct {
	net     Network
	opt     Optimizer
	objs    []Objective // one per output
	names   []string    // what Evaluate reports, in order: "loss", then the rest
	prm     []Param     // the network's parameters, in its order
	ins     []int       // values in a sample of each input
	outs    []int       // width of each output
	params  [][]float32 // the trainable parameters' backing slices, updated in place
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
// network's trainable parameters and returns a Trainer whose every output
// is trained with loss and scored with metrics, as Keras's compile with
// one loss for a model of several outputs. Graphs are built on first use,
// once per batch size.
func Compile(net Network, opt Optimizer, loss Loss, metrics ...Metric) (*Trainer, error) {
	if loss == nil {
		return nil, errors.New("compile: nil loss")
	}
	if net == nil {
		return nil, errors.New("compile: nil network")
	}
	objs := make([]Objective, len(net.Outputs()))
	for i := range objs {
		objs[i] = Objective{Loss: loss, Metrics: metrics}
	}
	return CompileObjectives(net, opt, objs...)
}

// CompileObjectives is Compile with an Objective per output, in the
// network's output order: each output's loss (or none), its weight in
// the total, and its metrics, as Keras's compile takes a loss,
// loss_weights and metrics per output. The total loss is the weighted
// sum of the outputs' losses. It is an error if the objectives are not
// one per output, if none has a loss, or if a weight is negative or not
// finite.
func CompileObjectives(net Network, opt Optimizer, objs ...Objective) (*Trainer, error) {
	switch {
	case net == nil:
		return nil, errors.New("compile: nil network")
	case opt == nil:
		return nil, errors.New("compile: nil optimizer")
	}
	ins, outs := net.Inputs(), net.Outputs()
	if len(ins) == 0 || len(outs) == 0 {
		return nil, errors.Errorf("compile: the network has %d inputs and %d outputs; it needs at least one of each", len(ins), len(outs))
	}
	if len(objs) != len(outs) {
		return nil, errors.Errorf("compile: %d objectives for %d outputs; give one per output", len(objs), len(outs))
	}
	src, shuf := rand.NewPCG(0, dropoutStream), rand.NewPCG(0, shuffleStream)
	t := &Trainer{net: net, opt: opt, objs: append([]Objective(nil), objs...),
		steps: map[stepKey]*step{}, src: src, rand: rand.New(src), shuf: shuf, shuffle: rand.New(shuf)}
	for i, in := range ins {
		if len(in.Shape) == 0 {
			return nil, errors.Errorf("compile: input %d (%s) has an empty sample shape", i, in.Name)
		}
		for _, d := range in.Shape {
			if d <= 0 {
				return nil, errors.Errorf("compile: input %d (%s) has shape %v, with a dimension that is not positive", i, in.Name, in.Shape)
			}
		}
		t.ins = append(t.ins, size(in.Shape))
	}
	trained := false
	for i, o := range outs {
		if len(o.Shape) != 1 || o.Shape[0] <= 0 {
			return nil, errors.Errorf("compile: output %d (%s) has shape %v; an output must be a vector of a positive width", i, o.Name, o.Shape)
		}
		if err := objs[i].check(i); err != nil {
			return nil, errors.Wrap(err, "compile")
		}
		trained = trained || objs[i].Loss != nil
		t.outs = append(t.outs, o.Shape[0])
	}
	if !trained {
		return nil, errors.New("compile: no output has a loss; there is nothing to train or evaluate")
	}
	t.names = logNames(outs, t.objs)
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
		if p.Trainable {
			t.params = append(t.params, d)
			sizes = append(sizes, len(d))
		}
	}
	if err := opt.Init(sizes); err != nil {
		return nil, errors.Wrap(err, "compile")
	}
	return t, nil
}

// logNames returns the names of what the Trainer reports, in order: as
// Keras, "loss" and each metric's name for one output; for several,
// "loss" (the weighted total), then "<output>_loss" for each output that
// has a loss, then "<output>_<metric>" for each output's metrics.
func logNames(outs []TensorSpec, objs []Objective) []string {
	names := []string{"loss"}
	if len(outs) == 1 {
		for _, m := range objs[0].Metrics {
			names = append(names, m.Name())
		}
		return names
	}
	for i, o := range objs {
		if o.Loss != nil {
			names = append(names, outs[i].Name+"_loss")
		}
	}
	for i, o := range objs {
		for _, m := range o.Metrics {
			names = append(names, outs[i].Name+"_"+m.Name())
		}
	}
	return names
}

// Optimizer returns the optimizer given to Compile, whose state training
// updates.
func (t *Trainer) Optimizer() Optimizer { return t.opt }

// Objectives returns a copy of each output's objective, as compiled:
// Compile gives every output the same loss and metrics.
func (t *Trainer) Objectives() []Objective {
	objs := make([]Objective, len(t.objs))
	for i, o := range t.objs {
		objs[i] = o
		objs[i].Metrics = append([]Metric(nil), o.Metrics...)
	}
	return objs
}

// Names returns the names of the values Evaluate returns, in order:
// "loss", then what the metrics slice holds ("accuracy" for one output;
// for several, each output's loss, "dense_1_loss", then each output's
// metrics, "dense_1_accuracy"). Fit's History and the progress line use
// the same names.
func (t *Trainer) Names() []string { return append([]string(nil), t.names...) }

// Network returns the network given to Compile.
func (t *Trainer) Network() Network { return t.net }

// Params returns a copy of the list of the network's parameters, trainable
// or not, in the network's order; the trainable ones, in that order, are
// the order of the optimizer's state slices.
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

// StopRequested reports whether StopTraining was called since the last
// Fit started (Keras's model.stop_training read back): a callback can
// see that an earlier one in the list asked to stop. Fit clears it when
// it starts, not when it ends, so after a stopped Fit it stays true
// until the next. It is safe from any goroutine.
func (t *Trainer) StopRequested() bool { return t.stop.Load() }

// Locked runs f holding the Trainer's lock, the one Fit, Evaluate and
// Predict hold for their whole call: f sees the weights and the
// optimizer's state as a finished call left them, and no call starts
// until f returns. A nil f does nothing. Callbacks already run with the
// lock held: calling Locked from one, or from anything a callback calls
// (such as callbacks.ModelCheckpoint's Save), waits for ever.
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

// Output returns where the running Fit, Evaluate or Predict writes its
// progress (the writer given with the Output option, os.Stdout by
// default), for callbacks that print messages, as Keras's print to the
// same stream; io.Discard when no call is running. It is meant for
// callbacks, which run on the call's goroutine: from another goroutine,
// the call's start and end race with it.
func (t *Trainer) Output() io.Writer {
	if t.w != nil {
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
	s, err := newStep(t.net, t.objs, batch, p, t.rand)
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

// load copies the given rows of d into s's bound inputs (and targets,
// where the graph has them).
func (t *Trainer) load(s *step, d *dataset, rows []int) {
	for k, in := range t.ins {
		dst, src := s.x[k], d.x[k]
		for i, r := range rows {
			copy(dst[i*in:(i+1)*in], src[r*in:(r+1)*in])
		}
	}
	for k, out := range t.outs {
		if s.y == nil || s.y[k] == nil || d.y[k] == nil {
			continue
		}
		dst, src := s.y[k], d.y[k]
		for i, r := range rows {
			copy(dst[i*out:(i+1)*out], src[r*out:(r+1)*out])
		}
	}
}

// scores accumulates, over samples, the sums of the values the Trainer
// reports, in the order of its names.
type scores struct {
	sums []float64
	seen int
}

// score adds a step's losses and metrics on its rows to sc.
func (t *Trainer) score(sc *scores, s *step, rows int) {
	if sc.sums == nil {
		sc.sums = make([]float64, len(t.names))
	}
	n := float64(rows)
	sc.sums[0] += scalar(s.loss) * n
	k := 1
	if len(t.objs) > 1 {
		for _, l := range s.losses {
			if l != nil {
				sc.sums[k] += scalar(l) * n
				k++
			}
		}
	}
	for i, o := range t.objs {
		if len(o.Metrics) == 0 {
			continue
		}
		out := s.output(i)
		for _, m := range o.Metrics {
			sc.sums[k] += m.Sum(out, s.y[i], rows, t.outs[i])
			k++
		}
	}
	sc.seen += rows
}

// values returns the running means, named, with a prefix ("" or "val_").
func (t *Trainer) values(sc *scores, prefix string) []value {
	n := float64(max(sc.seen, 1))
	v := make([]value, len(t.names))
	for i, name := range t.names {
		var sum float64
		if sc.sums != nil {
			sum = sc.sums[i]
		}
		v[i] = value{prefix + name, sum / n}
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
