package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// AveragePooling2DLayer is Keras's AveragePooling2D: the mean of each
// (rows, columns) window of each channel of (height, width, channels)
// images; under "same" padding a window at the border averages the
// input values it covers only, as TensorFlow does. It has no weights.
type AveragePooling2DLayer struct{ pooling }

// AveragePooling2D returns an average-pooling layer with windows of pool
// (rows, columns); Keras's default pool is (2, 2). Strides default to
// the pool size; Padding is "valid" by default, or "same".
func AveragePooling2D(pool [2]int, opts ...Option) *AveragePooling2DLayer {
	return &AveragePooling2DLayer{pooling{LayerBase: NewLayerBase(opts...), pool: pool}}
}

// Kind returns "AveragePooling2D".
func (l *AveragePooling2DLayer) Kind() string { return "AveragePooling2D" }

// Call calls the layer on x; see Call.
func (l *AveragePooling2DLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks the images against the window.
func (l *AveragePooling2DLayer) Plan(in [][]int) (Plan, error) { return l.plan(l.Kind(), in) }

// Forward builds the pooling.
func (l *AveragePooling2DLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return l.forward(in[0], graph.AvgPool2D)
}

func init() {
	registerPooling("AveragePooling2D", func(pool [2]int, opts ...Option) Layer { return AveragePooling2D(pool, opts...) })
}
