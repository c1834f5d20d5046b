package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// MaxPooling2DLayer is Keras's MaxPooling2D: the largest value of each
// (rows, columns) window of each channel of (height, width, channels)
// images. It has no weights.
type MaxPooling2DLayer struct{ pooling }

// MaxPooling2D returns a max-pooling layer with windows of pool (rows,
// columns). Strides default to the pool size; Padding is "valid" by
// default, or "same".
func MaxPooling2D(pool [2]int, opts ...Option) *MaxPooling2DLayer {
	return &MaxPooling2DLayer{pooling{LayerBase: NewLayerBase(opts...), pool: pool}}
}

// Kind returns "MaxPooling2D".
func (l *MaxPooling2DLayer) Kind() string { return "MaxPooling2D" }

// Call calls the layer on x; see Call.
func (l *MaxPooling2DLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks the images against the window.
func (l *MaxPooling2DLayer) Plan(in [][]int) (Plan, error) { return l.plan(l.Kind(), in) }

// Forward builds the pooling.
func (l *MaxPooling2DLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return l.forward(in[0], graph.MaxPool2D)
}

func init() {
	registerPooling("MaxPooling2D", func(pool [2]int, opts ...Option) Layer { return MaxPooling2D(pool, opts...) })
}
