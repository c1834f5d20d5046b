package train

import (
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A Param is one weight of a network: its name (as Keras names it, e.g.
// "dense/kernel") and its float32 value, which training updates in place
// when the weight is trainable. Non-trainable weights (a frozen layer's,
// or BatchNormalization's moving statistics, which the layer itself
// updates while training) get no gradient and no optimizer state, but
// are saved and restored with the others.
type Param struct {
	Name      string
	Value     *tensor.Dense
	Trainable bool
}

// A TensorSpec names one input or output of a network and gives the shape
// of one of its samples, without the batch axis.
type TensorSpec struct {
	Name  string
	Shape []int
}

// A Network is what train needs of a model: inputs, outputs, weights and
// a way to build its graph.
type Network interface {
	// Params returns every weight, trainable or not, always in the same
	// order.
	Params() []Param
	// Inputs describes each input: (784) for flat rows, (28, 28, 1) for
	// images. Fit, Evaluate and Predict take one tensor per input, of
	// shape (rows, Shape...).
	Inputs() []TensorSpec
	// Outputs describes each output; an output's samples are vectors, so
	// its Shape is (width). Its Name prefixes the output's loss and
	// metrics in the logs of a network of several outputs
	// ("dense_1_loss").
	Outputs() []TensorSpec
	// Forward builds the network in the graph of xs, the (batch,
	// Inputs()[i].Shape...) input nodes, with params[i] standing for
	// Params()[i] (same shape), and returns one (batch, width) node per
	// output. A loss finds the logits behind a softmax or sigmoid output
	// itself (graph.Logits).
	Forward(xs []*G.Node, params []*G.Node, mode Mode) ([]*G.Node, error)
}

// Mode says what a graph is built for.
type Mode struct {
	// Training is set for the graphs Fit runs: layers that act only while
	// training (dropout) act, and batch normalisation uses and updates
	// its batch statistics.
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
