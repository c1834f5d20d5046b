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

// Logits returns the input of n when n is the output of Softmax or
// Sigmoid: the logits a cross-entropy is best computed from, stably, as
// Keras's TensorFlow backend does. For any other node (nil included) it
// returns nil.
func Logits(n *G.Node) *G.Node {
	if !IsSoftmax(n) && !IsSigmoid(n) {
		return nil
	}
	in := n.Graph().From(n.ID())
	if in.Len() != 1 || !in.Next() {
		return nil
	}
	x, _ := in.Node().(*G.Node)
	return x
}

// IsSoftmax reports whether n is the output of Softmax, whose input is
// then the logits a cross-entropy is best computed from.
func IsSoftmax(n *G.Node) bool {
	if n == nil {
		return false
	}
	op, ok := n.Op().(*rowOp)
	return ok && op.name == "Softmax"
}

// IsSigmoid reports whether n is the output of Sigmoid, whose input is
// then the logits a binary cross-entropy is best computed from.
func IsSigmoid(n *G.Node) bool {
	if n == nil {
		return false
	}
	op, ok := n.Op().(*unaryOp)
	return ok && op.u == sigmoid && !op.grad
}
