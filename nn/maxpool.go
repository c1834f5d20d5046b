package nn

import (
	"math/rand/v2"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// MaxPooling2DLayer is Keras's MaxPooling2D: the largest value of each
// (rows, columns) window of each channel of (height, width, channels)
// images. It has no weights.
type MaxPooling2DLayer struct {
	layerBase
	pool [2]int
}

// MaxPooling2D returns a max-pooling layer with windows of pool (rows,
// columns). Strides default to the pool size; Padding is "valid" by
// default, or "same".
func MaxPooling2D(pool [2]int, opts ...Option) *MaxPooling2DLayer {
	return &MaxPooling2DLayer{layerBase: options(opts), pool: pool}
}

// Kind returns "MaxPooling2D".
func (l *MaxPooling2DLayer) Kind() string { return "MaxPooling2D" }

// PoolSize returns the window's (rows, columns).
func (l *MaxPooling2DLayer) PoolSize() [2]int { return l.pool }

// Params returns nil: pooling has no weights.
func (l *MaxPooling2DLayer) Params() []train.Param { return nil }

func (l *MaxPooling2DLayer) plan(in []int) ([]int, int, error) {
	if l.pool[0] <= 0 || l.pool[1] <= 0 {
		return nil, 0, errors.Errorf("pool size must be positive, got (%d, %d)", l.pool[0], l.pool[1])
	}
	strides, padding, err := l.window(l.pool)
	if err != nil {
		return nil, 0, err
	}
	if len(in) != 3 {
		return nil, 0, errors.Errorf("a MaxPooling2D layer takes (height, width, channels) images, but its input samples have shape %s", dims(in))
	}
	oh, err := graph.ConvOutput(in[0], l.pool[0], strides[0], padding)
	if err != nil {
		return nil, 0, errors.Wrapf(err, "a %d×%d pool on %s images leaves nothing", l.pool[0], l.pool[1], dims(in))
	}
	ow, err := graph.ConvOutput(in[1], l.pool[1], strides[1], padding)
	if err != nil {
		return nil, 0, errors.Wrapf(err, "a %d×%d pool on %s images leaves nothing", l.pool[0], l.pool[1], dims(in))
	}
	return []int{oh, ow, in[2]}, 0, nil
}

func (l *MaxPooling2DLayer) build([]int, *rand.Rand) error { return nil }

func (l *MaxPooling2DLayer) forward(x *G.Node, _ []*G.Node, _ train.Mode) (out, logits *G.Node, err error) {
	strides, padding, err := l.window(l.pool)
	if err != nil {
		return nil, nil, err
	}
	out, err = graph.MaxPool2D(x, l.pool, strides, padding)
	return out, nil, err
}
