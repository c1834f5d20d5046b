package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// AddLayer is Keras's Add: the element-wise sum of two or more inputs of
// one shape, as a residual connection adds a block's input to its output.
// It has no weights.
type AddLayer struct{ merge }

// Add returns an adding layer: Add().Call(x, y) is x + y.
func Add(opts ...Option) *AddLayer { return &AddLayer{merge{NewLayerBase(opts...)}} }

// Kind returns "Add".
func (l *AddLayer) Kind() string { return "Add" }

// Call calls the layer on the inputs; see Call.
func (l *AddLayer) Call(inputs ...*Tensor) *Tensor { return Call(l, inputs...) }

// Plan checks that the inputs are two or more of one shape.
func (l *AddLayer) Plan(in [][]int) (Plan, error) { return l.plan(l.Kind(), in) }

// Forward builds the sum.
func (l *AddLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return graph.Add(in...)
}

func init() { registerMerge("Add", func() Layer { return Add() }) }
