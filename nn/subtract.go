package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// SubtractLayer is Keras's Subtract: the element-wise difference x₀ − x₁
// of exactly two inputs of one shape. It has no weights.
type SubtractLayer struct{ merge }

// Subtract returns a subtracting layer: Subtract().Call(x, y) is x − y.
func Subtract(opts ...Option) *SubtractLayer { return &SubtractLayer{merge{NewLayerBase(opts...)}} }

// Kind returns "Subtract".
func (l *SubtractLayer) Kind() string { return "Subtract" }

// Call calls the layer on the inputs; see Call.
func (l *SubtractLayer) Call(inputs ...*Tensor) *Tensor { return Call(l, inputs...) }

// Plan checks that the inputs are exactly two of one shape.
func (l *SubtractLayer) Plan(in [][]int) (Plan, error) {
	if len(in) != 2 {
		return Plan{}, errors.Errorf("a Subtract layer takes exactly two inputs, got %d", len(in))
	}
	return l.plan(l.Kind(), in)
}

// Forward builds the difference.
func (l *SubtractLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("a Subtract layer takes exactly two inputs, got %d", len(in))
	}
	return graph.Subtract(in[0], in[1])
}

func init() { registerMerge("Subtract", func() Layer { return Subtract() }) }
