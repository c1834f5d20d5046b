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
	valX, valY             *tensor.Dense
	valSplit               float64
}

func defaults() settings {
	return settings{epochs: 1, batch: 32, verbose: 1, shuffle: true, out: os.Stdout}
}

// An Option adjusts Fit, Evaluate or Predict. Each says which it applies
// to; the others ignore it.
type Option func(*settings)

// Epochs sets how many passes Fit makes over the data (default 1).
func Epochs(n int) Option { return func(s *settings) { s.epochs = n } }

// BatchSize sets the rows per step (default 32, as in Keras). The last
// batch of an epoch holds what is left.
func BatchSize(n int) Option { return func(s *settings) { s.batch = n } }

// Verbose sets how much is printed: 0 nothing, 1 a progress bar (the
// default), 2 one line per epoch.
func Verbose(v int) Option { return func(s *settings) { s.verbose = v } }

// Seed seeds Fit's shuffling (default 0). The same seed, data and model
// give the same History, bit for bit.
func Seed(seed uint64) Option { return func(s *settings) { s.seed = seed } }

// Shuffle turns Fit's per-epoch shuffling on (the default) or off.
func Shuffle(on bool) Option { return func(s *settings) { s.shuffle = on } }

// Output sets where progress is written (default os.Stdout).
func Output(w io.Writer) Option { return func(s *settings) { s.out = w } }

// ValidationData makes Fit evaluate x and y at the end of every epoch and
// record val_loss and val_<metric>.
func ValidationData(x, y *tensor.Dense) Option {
	return func(s *settings) { s.valX, s.valY = x, y }
}

// ValidationSplit makes Fit hold out the last fraction of the rows,
// before any shuffling, and validate on them as ValidationData does.
func ValidationSplit(f float64) Option { return func(s *settings) { s.valSplit = f } }
