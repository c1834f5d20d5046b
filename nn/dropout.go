package nn

import (
	"math/rand/v2"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// DropoutLayer is Keras's Dropout: while Fit trains, each value is zeroed
// with probability rate and the rest are scaled by 1/(1 − rate), with a
// fresh draw every step from the generator Fit seeds with its Seed; in
// Evaluate and Predict it passes its input through unchanged.
type DropoutLayer struct {
	layerBase
	rate float64
}

// Dropout returns a dropout layer; rate must be in [0, 1).
func Dropout(rate float64, opts ...Option) *DropoutLayer {
	return &DropoutLayer{layerBase: options(opts), rate: rate}
}

// Kind returns "Dropout".
func (l *DropoutLayer) Kind() string { return "Dropout" }

// Rate returns the fraction of values dropped while training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// Params returns nil: dropout has no weights.
func (l *DropoutLayer) Params() []train.Param { return nil }

func (l *DropoutLayer) plan(in []int) ([]int, int, error) {
	if err := l.onlyOptions("Dropout", false); err != nil {
		return nil, 0, err
	}
	if !(l.rate >= 0 && l.rate < 1) {
		return nil, 0, errors.Errorf("rate must be in [0, 1), got %v", l.rate)
	}
	return append([]int(nil), in...), 0, nil
}

func (l *DropoutLayer) build([]int, *rand.Rand) error { return nil }

func (l *DropoutLayer) forward(x *G.Node, _ []*G.Node, mode train.Mode) (out, logits *G.Node, err error) {
	if !mode.Training {
		return x, nil, nil
	}
	out, err = graph.Dropout(x, l.rate, mode.Rand)
	return out, nil, err
}
