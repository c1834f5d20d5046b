package nn

import (
	"slices"

	"github.com/pkg/errors"
)

// Sequential is Keras's Sequential model, a stack of layers, each
// feeding the next: a Model of one input (the first layer's InputShape)
// and one output (the last layer's). NewSequential makes one; Add grows
// it until it is built. Its Summary is Keras's sequential table, and its
// Layers leave out its input layer.
type Sequential = Model

// NewSequential returns a model of the given layers, not yet built. The
// first layer needs an InputShape.
func NewSequential(layers ...Layer) *Sequential {
	return &Model{name: "sequential", sequential: true, stack: slices.Clone(layers)}
}

// Add appends a layer to a Sequential. A model is built once: adding to
// a built (or compiled) model is an error, naming the layer, that leaves
// the model as it was; so is adding to a functional model.
func (m *Model) Add(l Layer) error {
	name := "nil"
	if l != nil && l.Base() != nil {
		name = l.Kind()
		if n := l.Name(); n != "" {
			name = n + " (" + name + ")"
		}
	}
	switch {
	case !m.sequential:
		return errors.Errorf("add: layer %s cannot be added: only a Sequential grows by Add; call the layer on tensors and make a new Model", name)
	case m.built:
		return errors.Errorf("add: layer %s cannot be added: the model is built already; describe every layer before Build or Compile", name)
	}
	m.stack = append(m.stack, l)
	return nil
}

// stackPlan is what a Sequential's description implies: each layer's
// input and output shape.
type stackPlan struct {
	inputs, outputs [][]int
}

// planStack checks a Sequential's description, names unnamed layers, and
// works out every layer's shapes, without calling the layers.
func (m *Model) planStack() (*stackPlan, error) {
	if len(m.stack) == 0 {
		return nil, errors.New("the model has no layers")
	}
	seen := map[Layer]int{}
	for i, l := range m.stack {
		if l == nil || l.Base() == nil {
			return nil, errors.Errorf("layer %d is nil", i)
		}
		if _, ok := l.(*InputLayer); ok {
			return nil, errors.Errorf("layer %d is an InputLayer; give the first layer an InputShape instead", i)
		}
		if j, ok := seen[l]; ok {
			return nil, errors.Errorf("layer %d is layer %d again; a layer can be in a Sequential once", i, j)
		}
		seen[l] = i
	}
	if m.stack[0].Base().input == nil {
		return nil, errors.New("the first layer needs an input shape, e.g. nn.InputShape(784) or nn.InputShape(28, 28, 1)")
	}
	if err := nameLayers(m.stack); err != nil {
		return nil, err
	}
	p := &stackPlan{}
	in := m.stack[0].Base().input
	for i, l := range m.stack {
		b := l.Base()
		if b.input != nil && !slices.Equal(b.input, in) {
			return nil, errors.Errorf("layer %d (%s): input shape %s does not match the %s the previous layer gives", i, b.name, dims(b.input), dims(in))
		}
		lp, err := plan(l, [][]int{in})
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d (%s)", i, b.name)
		}
		if b.first == nil {
			b.specs = lp.Weights
		}
		p.inputs, p.outputs = append(p.inputs, in), append(p.outputs, lp.Output)
		in = lp.Output
	}
	if len(in) != 1 {
		return nil, errors.Errorf("the last layer gives samples of shape %s; a model's output must be a vector: end with Flatten or Dense", dims(in))
	}
	return p, nil
}

// assemble makes a Sequential's stack into a functional model: an input
// layer named after the first layer (dense_input, as Keras names it) and
// each layer called on the previous one's output.
func (m *Model) assemble() error {
	if _, err := m.planStack(); err != nil {
		return err
	}
	first := m.stack[0].Base()
	in := NamedInput(first.name+"_input", first.input...)
	x := in
	for _, l := range m.stack {
		x = Call(l, x)
	}
	a, err := newModel(m.name, []*Tensor{in}, []*Tensor{x})
	if err != nil {
		return err
	}
	m.inputs, m.outputs, m.layers, m.calls, m.local = a.inputs, a.outputs, a.layers, a.calls, a.local
	return nil
}
