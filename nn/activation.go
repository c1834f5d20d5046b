package nn

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
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

// check returns an error if the activation cannot follow an output of
// the given rank (samples' dimensions): softmax needs vectors.
func (a Activation) check(rank int) error {
	if a.Name() == Softmax.name && rank != 1 {
		return errors.Errorf("softmax needs vector outputs, but this layer's samples have %d dimensions", rank)
	}
	return nil
}

// apply builds the activation on z; for a softmax or a sigmoid it also
// returns z, the logits, which the cross-entropies are computed from.
func (a Activation) apply(z *G.Node) (out, logits *G.Node, err error) {
	if a.f == nil {
		return z, nil, nil
	}
	if out, err = a.f(z); err != nil {
		return nil, nil, err
	}
	if a.name == Softmax.name || a.name == Sigmoid.name {
		logits = z
	}
	return out, logits, nil
}
