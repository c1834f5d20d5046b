package nn

import (
	"math/rand/v2"

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
	layerBase
	units      int
	activation Activation

	kernel, bias *tensor.Dense
}

// Dense returns a fully connected layer of the given units.
func Dense(units int, activation Activation, opts ...Option) *DenseLayer {
	return &DenseLayer{layerBase: options(opts), units: units, activation: activation}
}

// Kind returns "Dense".
func (l *DenseLayer) Kind() string { return "Dense" }

// Units returns the layer's output width.
func (l *DenseLayer) Units() int { return l.units }

// Activation returns the layer's activation.
func (l *DenseLayer) Activation() Activation { return l.activation }

// Kernel returns the layer's (in, units) kernel (nil before Build). It is
// the tensor training updates; change it only between calls.
func (l *DenseLayer) Kernel() *tensor.Dense { return l.kernel }

// Bias returns the layer's bias vector (nil before Build).
func (l *DenseLayer) Bias() *tensor.Dense { return l.bias }

// Params returns dense/kernel and dense/bias (nil before Build).
func (l *DenseLayer) Params() []train.Param {
	if l.kernel == nil {
		return nil
	}
	return []train.Param{{Name: l.name + "/kernel", Value: l.kernel, Trainable: true}, {Name: l.name + "/bias", Value: l.bias, Trainable: true}}
}

func (l *DenseLayer) plan(in []int) ([]int, int, error) {
	if err := l.onlyOptions("Dense", false); err != nil {
		return nil, 0, err
	}
	if l.units <= 0 {
		return nil, 0, errors.Errorf("units must be positive, got %d", l.units)
	}
	if len(in) != 1 {
		return nil, 0, errors.Errorf("a Dense layer takes vectors, but its input samples have shape %s: put a Flatten layer before it", dims(in))
	}
	if err := l.activation.check(1); err != nil {
		return nil, 0, err
	}
	return []int{l.units}, in[0]*l.units + l.units, nil
}

func (l *DenseLayer) build(in []int, rng *rand.Rand) error {
	k := make([]float32, in[0]*l.units)
	if err := graph.GlorotUniform(rng, in[0], l.units, k); err != nil {
		return err
	}
	l.kernel = tensor.New(tensor.WithShape(in[0], l.units), tensor.WithBacking(k))
	l.bias = tensor.New(tensor.WithShape(l.units), tensor.WithBacking(make([]float32, l.units)))
	return nil
}

func (l *DenseLayer) forward(x *G.Node, p []*G.Node, _ train.Mode) (out, logits *G.Node, err error) {
	z, err := graph.Dense(x, p[0], p[1])
	if err != nil {
		return nil, nil, err
	}
	return l.activation.apply(z)
}
