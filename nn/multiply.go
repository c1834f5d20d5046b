package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// MultiplyLayer is Keras's Multiply: the element-wise product of two or
// more inputs of one shape, as a gate multiplies a signal. It has no
// weights.
type MultiplyLayer struct{ merge }

// Multiply returns a multiplying layer: Multiply().Call(x, y) is x ⊙ y.
func Multiply(opts ...Option) *MultiplyLayer { return &MultiplyLayer{merge{NewLayerBase(opts...)}} }

// Kind returns "Multiply".
func (l *MultiplyLayer) Kind() string { return "Multiply" }

// Call calls the layer on the inputs; see Call.
func (l *MultiplyLayer) Call(inputs ...*Tensor) *Tensor { return Call(l, inputs...) }

// Plan checks that the inputs are two or more of one shape.
func (l *MultiplyLayer) Plan(in [][]int) (Plan, error) { return l.plan(l.Kind(), in) }

// Forward builds the product.
func (l *MultiplyLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return graph.Multiply(in...)
}

func init() { registerMerge("Multiply", func() Layer { return Multiply() }) }
