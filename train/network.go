package train

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A Param is one trainable parameter: its name (as Keras names it, e.g.
// "dense/kernel") and its float32 value, which training updates in place.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// A Network is what train needs of a model.
type Network interface {
	// Params returns the trainable parameters, always in the same order.
	Params() []Param
	// InputWidth and OutputWidth are the features a row of input and of
	// output holds.
	InputWidth() int
	OutputWidth() int
	// Forward builds the network on the (batch, InputWidth) node x in x's
	// graph, with params[i] standing for Params()[i] (a vector parameter
	// of length n arrives as a (1, n) matrix). It returns the output node
	// and, when the output activation is a softmax, the logits it was
	// applied to (nil otherwise), so that a cross-entropy can be computed
	// from the logits, stably, as Keras's TensorFlow backend does.
	Forward(x *G.Node, params []*G.Node) (out, logits *G.Node, err error)
}
