package graph

import (
	G "gorgonia.org/gorgonia"
)

// An Activation maps a node element-wise (or, for Softmax, row-wise) to a
// node of the same shape.
type Activation func(x *G.Node) (*G.Node, error)

// Linear returns x unchanged: the identity activation.
func Linear(x *G.Node) (*G.Node, error) { return x, nil }

var (
	_ Activation = ReLU
	_ Activation = Sigmoid
	_ Activation = Tanh
	_ Activation = Linear
	_ Activation = Softmax
	_ Activation = LogSoftmax
)
