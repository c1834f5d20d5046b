package nn

import (
	"math/rand/v2"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DenseLayer is Keras's Dense: y = activation(x·kernel + bias), with a
// Glorot-uniform (in, units) kernel and a zero (units) bias.
type DenseLayer struct {
	units      int
	activation Activation
	inputWidth int // from InputShape; 0 if not given
	name       string

	kernel, bias *tensor.Dense
}

// A DenseOption configures a Dense layer.
type DenseOption func(*DenseLayer)

// InputShape gives the features of one input row, as Keras's
// input_shape=(features,); the first layer of a model needs it.
func InputShape(features int) DenseOption {
	return func(l *DenseLayer) { l.inputWidth = features }
}

// Name sets the layer's name; by default layers are named dense, dense_1,
// dense_2, … in the order they were added to their model.
func Name(name string) DenseOption { return func(l *DenseLayer) { l.name = name } }

// Dense returns a fully connected layer of the given units.
func Dense(units int, activation Activation, opts ...DenseOption) *DenseLayer {
	l := &DenseLayer{units: units, activation: activation}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Name returns the layer's name.
func (l *DenseLayer) Name() string { return l.name }

// Units returns the layer's output width.
func (l *DenseLayer) Units() int { return l.units }

// Activation returns the layer's activation.
func (l *DenseLayer) Activation() Activation { return l.activation }

// Kernel and Bias return the layer's weights (nil before Build). They are
// the tensors training updates; change them only between calls.
func (l *DenseLayer) Kernel() *tensor.Dense { return l.kernel }

// Bias returns the layer's bias vector (nil before Build).
func (l *DenseLayer) Bias() *tensor.Dense { return l.bias }

// build creates the weights for inputs of width in; Sequential.plan has
// checked the layer.
func (l *DenseLayer) build(in int, rng *rand.Rand) error {
	k := make([]float32, in*l.units)
	if err := graph.GlorotUniform(rng, in, l.units, k); err != nil {
		return err
	}
	l.kernel = tensor.New(tensor.WithShape(in, l.units), tensor.WithBacking(k))
	l.bias = tensor.New(tensor.WithShape(l.units), tensor.WithBacking(make([]float32, l.units)))
	return nil
}

func (l *DenseLayer) params() []train.Param {
	return []train.Param{{Name: l.name + "/kernel", Value: l.kernel}, {Name: l.name + "/bias", Value: l.bias}}
}

// forward builds the layer on x; p holds the kernel and bias nodes. For a
// softmax layer it also returns the logits.
func (l *DenseLayer) forward(x *G.Node, p []*G.Node) (out, logits *G.Node, err error) {
	z, err := graph.Dense(x, p[0], p[1])
	if err != nil {
		return nil, nil, err
	}
	if out, err = l.activation.apply(z); err != nil {
		return nil, nil, err
	}
	if l.activation.Name() == Softmax.name {
		logits = z
	}
	return out, logits, nil
}
