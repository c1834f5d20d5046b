package train

import (
	"math/rand/v2"

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
	// InputShape is the shape of one input sample, without the batch
	// axis: (784) for flat rows, (28, 28, 1) for images.
	InputShape() []int
	// OutputWidth is the number of outputs a sample gives.
	OutputWidth() int
	// Forward builds the network on x, a (batch, InputShape...) node, in
	// x's graph, with params[i] standing for Params()[i] (same shape). It
	// returns the (batch, OutputWidth) output node and, when the output
	// activation is a softmax or a sigmoid, the logits it was applied to
	// (nil otherwise), so that a cross-entropy can be computed from the
	// logits, stably, as Keras's TensorFlow backend does.
	Forward(x *G.Node, params []*G.Node, mode Mode) (out, logits *G.Node, err error)
}

// Mode says what a graph is built for.
type Mode struct {
	// Training is set for the graphs Fit runs: layers that act only while
	// training (dropout) act.
	Training bool
	// Rand is the generator that random ops draw from while training. It
	// belongs to the Trainer, which reseeds it at the start of every
	// epoch from Seed and the epoch's number, so the same seed gives the
	// same draws, and a resumed run (InitialEpoch) the draws of an
	// uninterrupted one.
	Rand *rand.Rand
}

// size returns the number of values a sample of the given shape holds.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
