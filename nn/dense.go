package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DenseLayer is Keras's Dense: y = activation(x·kernel + bias), with a
// Glorot-uniform (in, units) kernel and a zero (units) bias, on samples
// that are vectors of in features.
type DenseLayer struct {
	LayerBase
	units      int
	activation Activation
}

// Dense returns a fully connected layer of the given units.
func Dense(units int, activation Activation, opts ...Option) *DenseLayer {
	return &DenseLayer{LayerBase: NewLayerBase(opts...), units: units, activation: activation}
}

// Kind returns "Dense".
func (l *DenseLayer) Kind() string { return "Dense" }

// Units returns the layer's output width.
func (l *DenseLayer) Units() int { return l.units }

// Activation returns the layer's activation.
func (l *DenseLayer) Activation() Activation { return l.activation }

// Kernel returns the layer's (in, units) kernel (nil before Build). It is
// the tensor training updates; change it only between calls.
func (l *DenseLayer) Kernel() *tensor.Dense { return l.weight("kernel") }

// Bias returns the layer's bias vector (nil before Build).
func (l *DenseLayer) Bias() *tensor.Dense { return l.weight("bias") }

// Call calls the layer on x; see Call.
func (l *DenseLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks that the input's samples are vectors and declares the
// kernel and the bias.
func (l *DenseLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if l.units <= 0 {
		return Plan{}, errors.Errorf("units must be positive, got %d", l.units)
	}
	if len(x) != 1 {
		return Plan{}, errors.Errorf("a Dense layer takes vectors, but its input samples have shape %s: put a Flatten layer before it", dims(x))
	}
	if err := l.activation.check(1); err != nil {
		return Plan{}, err
	}
	return Plan{Output: []int{l.units}, Weights: []WeightSpec{
		{Name: "kernel", Shape: []int{x[0], l.units}, Init: GlorotUniform, Trainable: true},
		{Name: "bias", Shape: []int{l.units}, Init: Zeros, Trainable: true},
	}}, nil
}

// Forward builds activation(x·kernel + bias).
func (l *DenseLayer) Forward(in, w []*G.Node, _ train.Mode) (*G.Node, error) {
	z, err := graph.Dense(in[0], w[0], w[1])
	if err != nil {
		return nil, err
	}
	return l.activation.apply(z)
}

// Config returns {"units": …, "activation": …}.
func (l *DenseLayer) Config() map[string]any {
	return map[string]any{"units": l.units, "activation": l.activation.Name()}
}

func init() {
	mustRegister("Dense", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Units      *int    `json:"units"`
			Activation *string `json:"activation"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if err := required([]string{"units"}, cfg.Units != nil); err != nil {
			return nil, err
		}
		a, err := activationSetting(cfg.Activation)
		if err != nil {
			return nil, err
		}
		return Dense(*cfg.Units, a), nil
	})
}
