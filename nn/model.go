package nn

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Model is a network of layers called on tensors, from Input tensors to
// output tensors: Keras's functional Model. NewModel makes one;
// NewSequential makes a stack, Keras's Sequential, which is a Model too. A model is built once (Build, or
// Compile with seed 0), then compiled, trained, evaluated, used and
// saved with the methods Keras has.
type Model struct {
	name    string
	inputs  []*Tensor
	outputs []*Tensor
	layers  []Layer       // in order of first call, input layers included
	calls   []*call       // the calls between inputs and outputs, in a topological order
	local   map[*call]int // each call's number among its layer's calls in this model
	built   bool
	trainer *train.Trainer

	sequential bool    // made by NewSequential
	stack      []Layer // a Sequential's layers, without its input layer
}

// NewModel returns the model that computes outputs from inputs: Keras's
// Model(inputs, outputs). Every input must be a tensor of Input, used by
// some output; every output must be computed from the inputs alone, by
// layers called on them, and be a vector per sample (end with Dense,
// Flatten or GlobalAveragePooling2D). The model names its unnamed layers
// after their kind (input_1, conv2d, conv2d_1, batch_normalization, …).
//
// It is an error, naming the layer at fault, if a call on the way failed
// (the Tensor's Err), if an output depends on an Input that is not among
// inputs, if two layers have the same name or a name holds '/', or if
// the lists are empty or hold nil.
func NewModel(inputs, outputs []*Tensor) (*Model, error) {
	m, err := newModel("model", inputs, outputs)
	return m, errors.Wrap(err, "NewModel")
}

func newModel(name string, inputs, outputs []*Tensor) (*Model, error) {
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, errors.Errorf("%d inputs and %d outputs; a model needs at least one of each", len(inputs), len(outputs))
	}
	m := &Model{name: name, inputs: slices.Clone(inputs), outputs: slices.Clone(outputs), local: map[*call]int{}}
	for i, t := range outputs {
		if t == nil || t.call == nil {
			if t != nil && t.err != nil {
				return nil, t.err
			}
			return nil, errors.Errorf("output %d is nil", i)
		}
	}
	isInput := map[*call]int{}
	for i, t := range inputs {
		if t == nil || t.call == nil {
			return nil, errors.Errorf("input %d is nil", i)
		}
		if _, ok := t.call.layer.(*InputLayer); !ok {
			return nil, errors.Errorf("input %d is the output of a %s layer; a model's inputs are tensors of Input", i, t.call.layer.Kind())
		}
		if j, dup := isInput[t.call]; dup {
			return nil, errors.Errorf("input %d is input %d again", i, j)
		}
		isInput[t.call] = i
	}
	// Every call the outputs depend on, failed ones included, so that an
	// error names the layer with the name the model gives it.
	seen := map[*call]bool{}
	stack := make([]*call, 0, len(outputs))
	for _, t := range outputs {
		stack = append(stack, t.call)
	}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] {
			continue
		}
		seen[c] = true
		m.calls = append(m.calls, c)
		for _, x := range c.in {
			if x != nil && x.call != nil {
				stack = append(stack, x.call)
			}
		}
	}
	sort.Slice(m.calls, func(i, j int) bool { return m.calls[i].seq < m.calls[j].seq })
	count := map[Layer]int{}
	for _, c := range m.calls {
		if count[c.layer] == 0 {
			m.layers = append(m.layers, c.layer)
		}
		m.local[c] = count[c.layer]
		count[c.layer]++
	}
	// Inputs no output uses are named too, so that the error below can
	// name them.
	named := slices.Clone(m.layers)
	for c := range isInput {
		if !seen[c] {
			named = append(named, c.layer)
		}
	}
	if err := nameLayers(named); err != nil {
		return nil, err
	}
	for _, c := range m.calls {
		if c.out.err != nil {
			return nil, c.out.err
		}
		if _, ok := c.layer.(*InputLayer); ok {
			if _, ok := isInput[c]; !ok {
				return nil, errors.Errorf("the outputs depend on input layer %s, which is not among the model's inputs", c.layer.Base().Name())
			}
		}
	}
	for c, i := range isInput {
		if !seen[c] {
			return nil, errors.Errorf("input %d (%s) is used by no output", i, c.layer.Base().Name())
		}
	}
	for i, t := range outputs {
		if len(t.shape) != 1 {
			return nil, errors.Errorf("output %d, of layer %s, gives samples of shape %s; a model's outputs must be vectors: end with Dense, Flatten or GlobalAveragePooling2D", i, t.call.layer.Base().Name(), dims(t.shape))
		}
	}
	return m, nil
}

// nameLayers names the unnamed layers after their kind, numbered from
// the second of a kind (dense, dense_1), input layers from the first
// (input_1), as Keras does, never taking a name a layer was given; it
// returns an error if two layers share a name or a name holds '/'.
func nameLayers(layers []Layer) error {
	used := map[string]bool{}
	for _, l := range layers {
		name := l.Base().Name()
		if strings.Contains(name, "/") {
			return errors.Errorf("layer %s: a layer name cannot contain '/' (weights are named <layer>/kernel)", name)
		}
		if name != "" && used[name] {
			return errors.Errorf("two layers are named %s; layer names must be unique", name)
		}
		used[name] = name != ""
	}
	for _, l := range layers {
		b := l.Base()
		if b.name != "" {
			continue
		}
		if _, ok := l.(*InputLayer); ok {
			b.name = uniqueName("input", 1, used)
		} else {
			b.name = uniqueName(snake(l.Kind()), 0, used)
		}
	}
	return nil
}

// uniqueName returns base, or base_1, base_2, …, the first that is not
// used, starting at base_<from> when from > 0, and marks it used.
func uniqueName(base string, from int, used map[string]bool) string {
	name := base
	if from > 0 {
		name = fmt.Sprintf("%s_%d", base, from)
	}
	for k := from + 1; used[name]; k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	used[name] = true
	return name
}

// Name returns the model's name: "model", or "sequential" for a
// Sequential.
func (m *Model) Name() string { return m.name }

// Layers returns the model's layers in the order they were first called,
// its InputLayers included (a Sequential's Layers leaves its input
// layer out, as Keras's does).
func (m *Model) Layers() []Layer {
	if m.sequential {
		return slices.Clone(m.stack)
	}
	return slices.Clone(m.layers)
}

// Layer returns the model's layer of the given name, nil if there is
// none, as Keras's get_layer.
func (m *Model) Layer(name string) Layer {
	for _, l := range m.Layers() {
		if l.Base().Name() == name {
			return l
		}
	}
	return nil
}

// Inputs returns the model's input tensors, in order.
func (m *Model) Inputs() []*Tensor { return slices.Clone(m.inputs) }

// Outputs returns the model's output tensors, in order.
func (m *Model) Outputs() []*Tensor { return slices.Clone(m.outputs) }

// Build creates the layers' weights, drawn from a generator seeded with
// seed, layer after layer in the order of Layers, so the same seed gives
// the same model. A layer already built (shared with a model built
// before) keeps its weights. It is an error to build a model twice.
func (m *Model) Build(seed uint64) error {
	if m.sequential && !m.built {
		if err := m.assemble(); err != nil {
			return errors.Wrap(err, "build")
		}
	}
	if m.built {
		return errors.New("build: the model is built already")
	}
	rng := graph.NewRand(seed)
	for _, l := range m.layers {
		if err := l.Base().build(rng); err != nil {
			return errors.Wrapf(err, "build: layer %s", l.Base().Name())
		}
	}
	m.built = true
	return nil
}

// Built reports whether the model has been built.
func (m *Model) Built() bool { return m.built }

// network adapts a built Model to train.Network.
type network struct{ m *Model }

func (n network) Inputs() []train.TensorSpec {
	specs := make([]train.TensorSpec, len(n.m.inputs))
	for i, t := range n.m.inputs {
		specs[i] = train.TensorSpec{Name: t.call.layer.Base().Name(), Shape: slices.Clone(t.shape)}
	}
	return specs
}

func (n network) Outputs() []train.TensorSpec {
	specs := make([]train.TensorSpec, len(n.m.outputs))
	used := map[string]bool{}
	for i, t := range n.m.outputs {
		specs[i] = train.TensorSpec{Name: uniqueName(t.call.layer.Base().Name(), 0, used), Shape: slices.Clone(t.shape)}
	}
	return specs
}

func (n network) Params() []train.Param {
	var p []train.Param
	for _, l := range n.m.layers {
		p = append(p, l.Base().Params()...)
	}
	return p
}

func (n network) Forward(xs []*G.Node, params []*G.Node, mode train.Mode) ([]*G.Node, error) {
	weights := map[Layer][]*G.Node{}
	for _, l := range n.m.layers {
		k := len(l.Base().specs)
		weights[l], params = params[:k], params[k:]
	}
	nodes := map[*Tensor]*G.Node{}
	for i, t := range n.m.inputs {
		nodes[t] = xs[i]
	}
	for _, c := range n.m.calls {
		if _, ok := c.layer.(*InputLayer); ok {
			continue
		}
		in := make([]*G.Node, len(c.in))
		for i, x := range c.in {
			in[i] = nodes[x]
		}
		out, err := c.layer.Forward(in, weights[c.layer], mode)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s", c.layer.Base().Name())
		}
		nodes[c.out] = out
	}
	outs := make([]*G.Node, len(n.m.outputs))
	for i, t := range n.m.outputs {
		outs[i] = nodes[t]
	}
	return outs, nil
}
