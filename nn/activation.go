package nn

import (
	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
)

// An Activation is applied to a layer's output. The zero value is Linear.
type Activation struct {
	name string
	f    graph.Activation
}

// The activations Keras names "relu", "sigmoid", "tanh", "softmax" and
// "linear".
var (
	ReLU    = Activation{"relu", graph.ReLU}
	Sigmoid = Activation{"sigmoid", graph.Sigmoid}
	Tanh    = Activation{"tanh", graph.Tanh}
	Softmax = Activation{"softmax", graph.Softmax}
	Linear  = Activation{"linear", graph.Linear}
)

// Name returns the Keras name of the activation.
func (a Activation) Name() string {
	if a.f == nil {
		return Linear.name
	}
	return a.name
}

func (a Activation) apply(x *G.Node) (*G.Node, error) {
	if a.f == nil {
		return x, nil
	}
	return a.f(x)
}
