package nn

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sequential is a stack of layers, each feeding the next: Keras's
// Sequential model.
type Sequential struct {
	layers  []*DenseLayer
	built   bool
	trainer *train.Trainer
}

// NewSequential returns a model of the given layers, not yet built.
func NewSequential(layers ...*DenseLayer) *Sequential {
	m := &Sequential{}
	for _, l := range layers {
		m.Add(l)
	}
	return m
}

// Add appends a layer. Adding to a built model is an error reported by
// the next Build or Compile.
func (m *Sequential) Add(l *DenseLayer) { m.layers = append(m.layers, l) }

// Layers returns the model's layers in order.
func (m *Sequential) Layers() []*DenseLayer { return m.layers }

// Build names the layers and creates their weights, kernels drawn from a
// generator seeded with seed, so the same seed gives the same model. It
// returns an error naming the layer at fault if the model is empty, the
// first layer has no input shape, a layer has no units, or the model was
// built already.
func (m *Sequential) Build(seed uint64) error {
	if m.built {
		return errors.New("build: the model is built already")
	}
	inputs, err := m.plan()
	if err != nil {
		return errors.Wrap(err, "build")
	}
	rng := graph.NewRand(seed)
	for i, l := range m.layers {
		if err := l.build(inputs[i], rng); err != nil {
			return errors.Wrapf(err, "build: layer %d (%s)", i, l.name)
		}
	}
	m.built = true
	return nil
}

// plan checks the model's description, names unnamed layers, and returns
// the input width of each layer.
func (m *Sequential) plan() ([]int, error) {
	if len(m.layers) == 0 {
		return nil, errors.New("the model has no layers")
	}
	if m.layers[0] == nil || m.layers[0].inputWidth <= 0 {
		return nil, errors.New("the first layer needs an input shape, e.g. nn.InputShape(784)")
	}
	inputs := make([]int, len(m.layers))
	in := m.layers[0].inputWidth
	for i, l := range m.layers {
		if l == nil {
			return nil, errors.Errorf("layer %d is nil", i)
		}
		if l.name == "" {
			l.name = "dense"
			if i > 0 {
				l.name = fmt.Sprintf("dense_%d", i)
			}
		}
		if l.units <= 0 {
			return nil, errors.Errorf("layer %d (%s): units must be positive, got %d", i, l.name, l.units)
		}
		if l.inputWidth != 0 && l.inputWidth != in {
			return nil, errors.Errorf("layer %d (%s): input shape %d does not match the %d features the previous layer gives", i, l.name, l.inputWidth, in)
		}
		inputs[i] = in
		in = l.units
	}
	return inputs, nil
}

// Compile builds the model with seed 0 if Build was not called, and
// prepares it for training with an optimizer, a loss and metrics, as
// Keras's model.compile. Compiling again starts the optimizer afresh.
func (m *Sequential) Compile(opt train.Optimizer, loss train.Loss, metrics ...train.Metric) error {
	if !m.built {
		if err := m.Build(0); err != nil {
			return errors.Wrap(err, "compile")
		}
	}
	t, err := train.Compile(network{m}, opt, loss, metrics...)
	if err != nil {
		return err
	}
	m.trainer = t
	return nil
}

func (m *Sequential) compiled(what string) error {
	if m.trainer == nil {
		return errors.Errorf("%s: the model is not compiled; call Compile first", what)
	}
	return nil
}

// Fit trains the model; see train.Trainer.Fit. It is an error before
// Compile.
func (m *Sequential) Fit(x, y *tensor.Dense, opts ...train.Option) (*train.History, error) {
	if err := m.compiled("fit"); err != nil {
		return nil, err
	}
	return m.trainer.Fit(x, y, opts...)
}

// Evaluate returns the loss and the metrics, in Compile's order, on x and
// y; see train.Trainer.Evaluate. It is an error before Compile.
func (m *Sequential) Evaluate(x, y *tensor.Dense, opts ...train.Option) (loss float64, metrics []float64, err error) {
	if err := m.compiled("evaluate"); err != nil {
		return 0, nil, err
	}
	return m.trainer.Evaluate(x, y, opts...)
}

// Predict returns the model's output for every row of x; see
// train.Trainer.Predict. It is an error before Compile.
func (m *Sequential) Predict(x *tensor.Dense, opts ...train.Option) (*tensor.Dense, error) {
	if err := m.compiled("predict"); err != nil {
		return nil, err
	}
	return m.trainer.Predict(x, opts...)
}

// network adapts a built Sequential to train.Network.
type network struct{ m *Sequential }

func (n network) InputWidth() int  { return n.m.layers[0].kernel.Shape()[0] }
func (n network) OutputWidth() int { return n.m.layers[len(n.m.layers)-1].units }

func (n network) Params() []train.Param {
	var p []train.Param
	for _, l := range n.m.layers {
		p = append(p, l.params()...)
	}
	return p
}

func (n network) Forward(x *G.Node, params []*G.Node) (out, logits *G.Node, err error) {
	out = x
	for i, l := range n.m.layers {
		if out, logits, err = l.forward(out, params[2*i:2*i+2]); err != nil {
			return nil, nil, errors.Wrapf(err, "layer %d (%s)", i, l.name)
		}
	}
	return out, logits, nil
}
