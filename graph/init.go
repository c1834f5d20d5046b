package graph

import (
	"math"
	"math/rand/v2"

	"github.com/pkg/errors"
)

// GlorotUniform fills dst, the (fanIn, fanOut) kernel of a dense layer in
// row-major order, with samples of U(−l, l), l = √(6 / (fanIn + fanOut)):
// Keras's default kernel initialiser. The samples come from rng alone, so
// the same seed gives the same weights on every machine.
// It returns an error if dst does not hold fanIn·fanOut values or either
// fan is not positive.
func GlorotUniform(rng *rand.Rand, fanIn, fanOut int, dst []float32) error {
	if fanIn > 0 && fanOut > 0 && len(dst) != fanIn*fanOut {
		return errors.Errorf("GlorotUniform: %d×%d kernel needs %d values, got a slice of %d", fanIn, fanOut, fanIn*fanOut, len(dst))
	}
	return GlorotUniformFans(rng, fanIn, fanOut, dst)
}

// GlorotUniformFans fills dst, a kernel of any layout, with samples of
// U(−l, l), l = √(6 / (fanIn + fanOut)), in order. A convolution's (kh,
// kw, in, out) kernel has, as Keras counts them, fans kh·kw·in and
// kh·kw·out. It returns an error if either fan is not positive.
func GlorotUniformFans(rng *rand.Rand, fanIn, fanOut int, dst []float32) error {
	if fanIn <= 0 || fanOut <= 0 {
		return errors.Errorf("GlorotUniform: fans must be positive, got %d and %d", fanIn, fanOut)
	}
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range dst {
		dst[i] = float32((2*rng.Float64() - 1) * limit)
	}
	return nil
}

// NewRand returns the random source gokeras uses for a seed: PCG, seeded
// from seed alone.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}
