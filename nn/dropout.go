package nn

import (
	"encoding/json"
	"math"

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
	LayerBase
	rate float64
}

// Dropout returns a dropout layer; rate must be in [0, 1).
func Dropout(rate float64, opts ...Option) *DropoutLayer {
	return &DropoutLayer{LayerBase: NewLayerBase(opts...), rate: rate}
}

// Kind returns "Dropout".
func (l *DropoutLayer) Kind() string { return "Dropout" }

// Rate returns the fraction of values dropped while training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// Call calls the layer on x; see Call.
func (l *DropoutLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks the rate and gives the input's shape.
func (l *DropoutLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if !(l.rate >= 0 && l.rate < 1) {
		return Plan{}, errors.Errorf("rate must be in [0, 1), got %v", l.rate)
	}
	return Plan{Output: x}, nil
}

// Forward builds the dropout in training, nothing otherwise.
func (l *DropoutLayer) Forward(in, _ []*G.Node, mode train.Mode) (*G.Node, error) {
	if !mode.Training {
		return in[0], nil
	}
	return graph.Dropout(in[0], l.rate, mode.Rand)
}

// Config returns {"rate": …}.
func (l *DropoutLayer) Config() map[string]any { return map[string]any{"rate": l.rate} }

func init() {
	mustRegister("Dropout", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Rate *float64 `json:"rate"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if err := required([]string{"rate"}, cfg.Rate != nil); err != nil {
			return nil, err
		}
		if math.IsNaN(*cfg.Rate) {
			return nil, errors.New("config.rate is not a number")
		}
		return Dropout(*cfg.Rate), nil
	})
}
