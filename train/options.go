package train

import (
	"io"
	"os"

	"gorgonia.org/tensor"
)

// settings gathers what Fit, Evaluate and Predict accept.
type settings struct {
	epochs, batch, verbose int
	seed                   uint64
	shuffle                bool
	out                    io.Writer
	valX, valY             []*tensor.Dense // nil unless validation data is given
	valSplit               float64
	initialEpoch           int
	callbacks              []Callback
}

func defaults() settings {
	return settings{epochs: 1, batch: 32, verbose: 1, shuffle: true, out: os.Stdout}
}

// An Option adjusts Fit, Evaluate or Predict. Each says which it applies
// to; the others ignore it.
type Option func(*settings)

// Epochs sets the index of the last epoch Fit trains (default 1): as in
// Keras, Fit trains epochs InitialEpoch+1 … n, counted from 1, so n
// passes over the data without InitialEpoch, and none when n ≤
// InitialEpoch. A negative n is an error.
func Epochs(n int) Option { return func(s *settings) { s.epochs = n } }

// InitialEpoch sets the epoch Fit starts after (default 0), as Keras's
// initial_epoch, to resume training: Fit(InitialEpoch(2), Epochs(5))
// trains epochs 3, 4 and 5 (progress "Epoch 3/5"; History.Epochs 2, 3,
// 4, counted from 0 as Keras's history.epoch). Each epoch's shuffle and
// random draws depend only on Seed and the epoch's number, so, from the
// weights and the optimizer's state (Optimizer.State) at the end of
// epoch 2, it gives bit for bit what Fit(Epochs(5)) gives for those
// epochs. A negative n is an error.
func InitialEpoch(n int) Option { return func(s *settings) { s.initialEpoch = n } }

// Callbacks adds callbacks to Fit, Evaluate or Predict, called in the
// order given; see Callback. Each Callbacks option adds to the list. A
// nil callback is an error.
func Callbacks(cbs ...Callback) Option {
	return func(s *settings) { s.callbacks = append(s.callbacks, cbs...) }
}

// BatchSize sets the rows per step (default 32, as in Keras). The last
// batch of an epoch holds what is left.
func BatchSize(n int) Option { return func(s *settings) { s.batch = n } }

// Verbose sets how much is printed: 0 nothing, 1 a progress bar (the
// default), 2 one line per epoch. Predict and Evaluate show the bar too,
// as Keras's predict and evaluate do: a server or a program that
// predicts often passes Verbose(0).
func Verbose(v int) Option { return func(s *settings) { s.verbose = v } }

// Seed seeds Fit's shuffling and what random layers such as dropout draw
// (default 0): the same seed, data and model give the same History and
// weights, bit for bit, and so does a run resumed with InitialEpoch.
func Seed(seed uint64) Option { return func(s *settings) { s.seed = seed } }

// Shuffle turns Fit's per-epoch shuffling on (the default) or off.
func Shuffle(on bool) Option { return func(s *settings) { s.shuffle = on } }

// Output sets where progress is written (default os.Stdout).
func Output(w io.Writer) Option { return func(s *settings) { s.out = w } }

// ValidationData makes Fit evaluate x and y at the end of every epoch and
// record val_loss and val_<metric>, for a network of one input and one
// output; they are checked as Fit's x and y are.
func ValidationData(x, y *tensor.Dense) Option {
	return func(s *settings) { s.valX, s.valY = []*tensor.Dense{x}, []*tensor.Dense{y} }
}

// ValidationDataMulti is ValidationData for FitMulti: one tensor per
// input in xs, one per output in ys, as FitMulti takes them.
func ValidationDataMulti(xs, ys []*tensor.Dense) Option {
	return func(s *settings) {
		s.valX, s.valY = append([]*tensor.Dense{}, xs...), append([]*tensor.Dense{}, ys...)
	}
}

// ValidationSplit makes Fit hold out the last fraction of the rows,
// before any shuffling, and validate on them as ValidationData does.
func ValidationSplit(f float64) Option { return func(s *settings) { s.valSplit = f } }
