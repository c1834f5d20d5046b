package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sequential is a stack of layers, each feeding the next: Keras's
// Sequential model.
type Sequential struct {
	layers  []Layer
	built   int // how many layers Build built; 0 before Build
	trainer *train.Trainer
}

// NewSequential returns a model of the given layers, not yet built.
func NewSequential(layers ...Layer) *Sequential {
	return &Sequential{layers: append([]Layer(nil), layers...)}
}

// Add appends a layer. A model is built once: adding to a built model is
// an error that the next Compile or Build reports, naming the layer.
func (m *Sequential) Add(l Layer) { m.layers = append(m.layers, l) }

// Layers returns the model's layers in order.
func (m *Sequential) Layers() []Layer { return m.layers }

// Build names the layers and creates their weights, drawn from a
// generator seeded with seed, so the same seed gives the same model. It
// returns an error naming the layer at fault if the model is empty, the
// first layer has no input shape, a layer does not fit its input or has a
// bad setting, or the model was built already.
func (m *Sequential) Build(seed uint64) error {
	if m.built > 0 {
		return errors.New("build: the model is built already")
	}
	p, err := m.plan()
	if err != nil {
		return errors.Wrap(err, "build")
	}
	rng := graph.NewRand(seed)
	for i, l := range m.layers {
		if err := l.build(p.inputs[i], rng); err != nil {
			return errors.Wrapf(err, "build: layer %d (%s)", i, l.Name())
		}
	}
	m.built = len(m.layers)
	return nil
}

// plan is what a model's description implies: each layer's input and
// output shape and weight count.
type plan struct {
	inputs, outputs [][]int
	params          []int
}

// plan checks the model's description, names unnamed layers, and works
// out every layer's shapes.
func (m *Sequential) plan() (*plan, error) {
	if len(m.layers) == 0 {
		return nil, errors.New("the model has no layers")
	}
	if m.layers[0] == nil || m.layers[0].base().input == nil {
		return nil, errors.New("the first layer needs an input shape, e.g. nn.InputShape(784) or nn.InputShape(28, 28, 1)")
	}
	used := map[string]bool{}
	seen := map[Layer]int{}
	for i, l := range m.layers {
		if l == nil {
			return nil, errors.Errorf("layer %d is nil", i)
		}
		if j, ok := seen[l]; ok {
			return nil, errors.Errorf("layer %d is layer %d again; a layer can be in a model once", i, j)
		}
		seen[l] = i
		name := l.Name()
		if strings.Contains(name, "/") {
			return nil, errors.Errorf("layer %d (%s): a layer name cannot contain '/' (weights are named <layer>/kernel)", i, name)
		}
		if name != "" && used[name] {
			return nil, errors.Errorf("layer %d (%s): another layer has that name; layer names must be unique", i, name)
		}
		used[name] = true
	}
	p := &plan{}
	in := m.layers[0].base().input
	for i, l := range m.layers {
		b := l.base()
		if b.name == "" {
			b.name = uniqueName(snake(l.Kind()), used)
		}
		if b.input != nil && !slices.Equal(b.input, in) {
			return nil, errors.Errorf("layer %d (%s): input shape %s does not match the %s the previous layer gives", i, b.name, dims(b.input), dims(in))
		}
		for _, d := range in {
			if d <= 0 {
				return nil, errors.Errorf("layer %d (%s): input shape %s has a dimension that is not positive", i, b.name, dims(in))
			}
		}
		if _, ok := product(in, maxSampleValues); !ok {
			return nil, errors.Errorf("layer %d (%s): input samples of shape %s are too large (more than %d values)", i, b.name, dims(in), maxSampleValues)
		}
		out, n, err := l.plan(in)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d (%s)", i, b.name)
		}
		p.inputs, p.outputs, p.params = append(p.inputs, in), append(p.outputs, out), append(p.params, n)
		in = out
	}
	if _, ok := product(in, maxSampleValues); !ok {
		return nil, errors.Errorf("the last layer gives samples of shape %s: too large (more than %d values)", dims(in), maxSampleValues)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("the last layer gives samples of shape %s; a model's output must be a vector: end with Flatten or Dense", dims(in))
	}
	return p, nil
}

// uniqueName returns base, or base_1, base_2, …: the first that is not
// used, and marks it used. Names the user chose are never taken.
func uniqueName(base string, used map[string]bool) string {
	name := base
	for k := 1; used[name]; k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	used[name] = true
	return name
}

// Compile builds the model with seed 0 if Build was not called, and
// prepares it for training with an optimizer, a loss and metrics, as
// Keras's model.compile. Compiling again starts the optimizer afresh. A
// layer added after Build is an error naming it.
func (m *Sequential) Compile(opt train.Optimizer, loss train.Loss, metrics ...train.Metric) error {
	if m.built == 0 {
		if err := m.Build(0); err != nil {
			return errors.Wrap(err, "compile")
		}
	}
	if m.built != len(m.layers) {
		_, _ = m.plan() // names the layers added since; the error below says what matters
		l := m.layers[m.built]
		name := "nil"
		if l != nil {
			name = l.Name()
		}
		return errors.Errorf("compile: layer %d (%s) was added after the model was built; a built model cannot grow: describe every layer before Build or Compile", m.built, name)
	}
	t, err := train.Compile(network{m}, opt, loss, metrics...)
	if err != nil {
		return err
	}
	m.trainer = t
	return nil
}

// Compiled reports whether the model has been compiled, by Compile or by
// Load from a file with training state, and so can Fit, Evaluate and
// Predict.
func (m *Sequential) Compiled() bool { return m.trainer != nil }

// Trainer returns the train.Trainer Compile (or Load) made: the
// optimizer, loss, metrics, epoch count and the lock (Trainer.Locked)
// that Fit holds. It is nil before Compile.
func (m *Sequential) Trainer() *train.Trainer { return m.trainer }

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

// Predict returns the model's output for every sample of x; see
// train.Trainer.Predict. It is an error before Compile.
func (m *Sequential) Predict(x *tensor.Dense, opts ...train.Option) (*tensor.Dense, error) {
	if err := m.compiled("predict"); err != nil {
		return nil, err
	}
	return m.trainer.Predict(x, opts...)
}

// network adapts a built Sequential to train.Network.
type network struct{ m *Sequential }

func (n network) Inputs() []train.TensorSpec {
	return []train.TensorSpec{{Name: "input", Shape: n.m.layers[0].base().input}}
}

func (n network) Outputs() []train.TensorSpec {
	p, err := n.m.plan()
	if err != nil {
		return []train.TensorSpec{{Name: "output"}}
	}
	return []train.TensorSpec{{Name: n.m.layers[len(n.m.layers)-1].Name(), Shape: p.outputs[len(p.outputs)-1]}}
}

func (n network) Params() []train.Param {
	var p []train.Param
	for _, l := range n.m.layers {
		p = append(p, l.Params()...)
	}
	return p
}

func (n network) Forward(xs []*G.Node, params []*G.Node, mode train.Mode) ([]*G.Node, error) {
	out := xs[0]
	var err error
	for i, l := range n.m.layers {
		k := len(l.Params())
		if out, _, err = l.forward(out, params[:k], mode); err != nil {
			return nil, errors.Wrapf(err, "layer %d (%s)", i, l.Name())
		}
		params = params[k:]
	}
	return []*G.Node{out}, nil
}
