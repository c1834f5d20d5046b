package nn

import (
	"encoding/json"
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormalizationLayer is Keras's BatchNormalization over the last
// axis (the channels of channels-last images, the features of vectors).
// Its weights are gamma (ones) and beta (zeros), trained, and the moving
// mean (zeros) and moving variance (ones), not trained but updated by
// the layer itself.
//
// In Fit each batch is normalised by its own per-channel mean μ and
// (biased) variance σ², y = (x − μ)·gamma/√(σ² + Epsilon) + beta, and
// every training step updates the moving statistics as Keras 3 does:
// moving ← moving·Momentum + batch statistic·(1 − Momentum). In
// Evaluate and Predict, and in Fit when the layer is frozen
// (SetTrainable(false)), the moving statistics normalise instead.
type BatchNormalizationLayer struct {
	LayerBase
	// Momentum is the moving statistics' momentum, in [0, 1]: Keras's
	// default 0.99. (PyTorch's momentum m is 1 − m here.)
	Momentum float64
	// Epsilon is added to the variance: Keras's default 0.001. It must be
	// positive.
	Epsilon float64
}

// BatchNormalization returns a batch normalisation layer with Keras's
// defaults, momentum 0.99 and epsilon 0.001; set the fields to change
// them before the model is built.
func BatchNormalization(opts ...Option) *BatchNormalizationLayer {
	return &BatchNormalizationLayer{LayerBase: NewLayerBase(opts...), Momentum: 0.99, Epsilon: 1e-3}
}

// Kind returns "BatchNormalization".
func (l *BatchNormalizationLayer) Kind() string { return "BatchNormalization" }

// Gamma, Beta, MovingMean and MovingVariance return the layer's weights
// (nil before Build).
func (l *BatchNormalizationLayer) Gamma() *tensor.Dense { return l.weight("gamma") }

// Beta returns the layer's offset; see Gamma.
func (l *BatchNormalizationLayer) Beta() *tensor.Dense { return l.weight("beta") }

// MovingMean returns the layer's moving mean; see Gamma.
func (l *BatchNormalizationLayer) MovingMean() *tensor.Dense { return l.weight("moving_mean") }

// MovingVariance returns the layer's moving variance; see Gamma.
func (l *BatchNormalizationLayer) MovingVariance() *tensor.Dense {
	return l.weight("moving_variance")
}

// Call calls the layer on x; see Call.
func (l *BatchNormalizationLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks the settings and declares the four weights, one value per
// channel.
func (l *BatchNormalizationLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if len(x) < 1 || len(x) > 3 {
		return Plan{}, errors.Errorf("a BatchNormalization layer takes samples of 1 to 3 dimensions, got shape %s", dims(x))
	}
	if !(l.Momentum >= 0 && l.Momentum <= 1) {
		return Plan{}, errors.Errorf("momentum %v is outside [0, 1]", l.Momentum)
	}
	if !(l.Epsilon > 0) || math.IsInf(l.Epsilon, 1) {
		return Plan{}, errors.Errorf("epsilon %v must be positive and finite", l.Epsilon)
	}
	c := []int{x[len(x)-1]}
	return Plan{Output: x, Weights: []WeightSpec{
		{Name: "gamma", Shape: c, Init: Ones, Trainable: true},
		{Name: "beta", Shape: c, Init: Zeros, Trainable: true},
		{Name: "moving_mean", Shape: c, Init: Zeros},
		{Name: "moving_variance", Shape: c, Init: Ones},
	}}, nil
}

// Forward builds the normalisation: with the batch's statistics in
// training, unless the layer is frozen, with the moving ones otherwise.
func (l *BatchNormalizationLayer) Forward(in, w []*G.Node, mode train.Mode) (*G.Node, error) {
	return graph.BatchNorm(in[0], w[0], w[1], w[2], w[3], l.Momentum, l.Epsilon, mode.Training && l.Trainable())
}

// Config returns axis (−1), momentum and epsilon.
func (l *BatchNormalizationLayer) Config() map[string]any {
	return map[string]any{"axis": -1, "momentum": l.Momentum, "epsilon": l.Epsilon}
}

func init() {
	mustRegister("BatchNormalization", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Axis     *int     `json:"axis"`
			Momentum *float64 `json:"momentum"`
			Epsilon  *float64 `json:"epsilon"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if cfg.Axis != nil && *cfg.Axis != -1 {
			return nil, errors.Errorf("config.axis is %d; gokeras normalises the last axis only (-1)", *cfg.Axis)
		}
		l := BatchNormalization()
		if cfg.Momentum != nil {
			l.Momentum = *cfg.Momentum
		}
		if cfg.Epsilon != nil {
			l.Epsilon = *cfg.Epsilon
		}
		return l, nil
	})
}
