package nn

import (
	"bytes"
	"encoding/json"
	"io"
	"math"

	"github.com/pkg/errors"
)

// archName is the name, in a saved model's .npz, of the uint8 array that
// holds the architecture as UTF-8 JSON.
const archName = "gokeras_model.json"

// archFormat and archVersion mark a file as a gokeras model of this
// layout; Load refuses other formats and newer versions. Version 1 (a
// Sequential of Dense, Conv2D, MaxPooling2D, Flatten and Dropout layers,
// before the functional API) is still read.
const (
	archFormat  = "gokeras"
	archVersion = 2
)

// modelJSON is the architecture (and, once compiled, the training state
// that is not arrays) as saved in gokeras_model.json. Version 2 follows
// Keras 2's model config: {"class_name": "Sequential" or "Functional",
// "config": {"name", "layers", and for a functional model
// "input_layers" and "output_layers"}}, each layer as {"class_name",
// "config"} and, in a functional model, "name" and "inbound_nodes".
type modelJSON struct {
	Format    string       `json:"format"`
	Version   int          `json:"version"`
	ClassName string       `json:"class_name"`
	Config    *modelConfig `json:"config,omitempty"`
	// Version 1's fields.
	InputShape []int       `json:"input_shape,omitempty"`
	Layers     []layerJSON `json:"layers,omitempty"`

	Training *trainingJSON `json:"training,omitempty"`
}

// modelConfig is Keras 2's model config.
type modelConfig struct {
	Name         string      `json:"name"`
	Layers       []layerJSON `json:"layers"`
	InputLayers  []ref       `json:"input_layers,omitempty"`
	OutputLayers []ref       `json:"output_layers,omitempty"`
}

// architecture describes the built model m as JSON, without training
// state.
func (m *Model) architecture() (*modelJSON, error) {
	c := &modelConfig{Name: m.name}
	a := &modelJSON{Format: archFormat, Version: archVersion, ClassName: "Functional", Config: c}
	if m.sequential {
		a.ClassName = "Sequential"
	}
	for _, l := range m.layers {
		lj, err := describe(l)
		if err != nil {
			return nil, err
		}
		if !m.sequential {
			lj.Name = l.Name()
			for _, k := range m.calls {
				if k.layer != l || len(k.in) == 0 {
					continue
				}
				node := make([]inbound, len(k.in))
				for i, x := range k.in {
					node[i] = inbound{m.ref(x)}
				}
				lj.InboundNodes = append(lj.InboundNodes, node)
			}
		}
		c.Layers = append(c.Layers, lj)
	}
	if !m.sequential {
		for _, t := range m.inputs {
			c.InputLayers = append(c.InputLayers, m.ref(t))
		}
		for _, t := range m.outputs {
			c.OutputLayers = append(c.OutputLayers, m.ref(t))
		}
	}
	return a, nil
}

// ref returns the reference to tensor t of m.
func (m *Model) ref(t *Tensor) ref { return ref{Layer: t.call.layer.Name(), Call: m.local[t.call]} }

// parseArchitecture decodes gokeras_model.json strictly: unknown fields,
// trailing data, another format or a newer version are errors.
func parseArchitecture(b []byte) (*modelJSON, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var a modelJSON
	if err := dec.Decode(&a); err != nil {
		return nil, errors.Wrap(err, "bad JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("bad JSON: data after the top-level object")
	}
	switch {
	case a.Format != archFormat:
		return nil, errors.Errorf("field format is %q, want %q", a.Format, archFormat)
	case a.Version < 1 || a.Version > archVersion:
		return nil, errors.Errorf("field version is %d; this gokeras reads versions 1 to %d", a.Version, archVersion)
	case a.Version == 1 && a.ClassName != "Sequential":
		return nil, errors.Errorf("field class_name is %q, want \"Sequential\"", a.ClassName)
	case a.Version == 1 && len(a.InputShape) == 0:
		return nil, errors.New("field input_shape is missing or empty")
	case a.Version == 1 && len(a.Layers) == 0:
		return nil, errors.New("field layers is missing or empty")
	case a.Version == 1 && a.Config != nil:
		return nil, errors.New("field config: version 1 has none")
	case a.Version > 1 && (a.Config == nil || len(a.Config.Layers) == 0):
		return nil, errors.New("field config.layers is missing or empty")
	case a.Version > 1 && (a.InputShape != nil || a.Layers != nil):
		return nil, errors.New("fields input_shape and layers belong to version 1; version 2 has config.layers")
	case a.Version > 1 && a.ClassName != "Sequential" && a.ClassName != "Functional":
		return nil, errors.Errorf("field class_name is %q, want \"Sequential\" or \"Functional\"", a.ClassName)
	}
	return &a, nil
}

// model makes the described model, its layers called on tensors but not
// built. Every setting is checked for presence and kind by the layers'
// registered constructors; the values themselves are checked by the
// layers' Plan, as for a model written in code.
func (a *modelJSON) model() (*Model, error) {
	switch {
	case a.Version == 1:
		return sequentialOf(a.Layers, 0, a.InputShape, "field layers")
	case a.ClassName == "Sequential":
		first := a.Config.Layers[0]
		if first.ClassName != "InputLayer" {
			return nil, errors.New("field config.layers[0]: a Sequential's first entry is its InputLayer")
		}
		l, err := first.make()
		if err != nil {
			return nil, errors.Wrap(err, first.label("field config.layers", 0))
		}
		m, err := sequentialOf(a.Config.Layers[1:], 1, l.(*InputLayer).shape, "field config.layers")
		if err != nil {
			return nil, err
		}
		m.name = a.Config.Name
		return m, nil
	}
	return a.Config.functional()
}

// sequentialOf makes a Sequential of the described layers, the first
// taking inputs of the given shape; entries[0] is the field's entry
// number first.
func sequentialOf(entries []layerJSON, first int, input []int, field string) (*Model, error) {
	if len(entries) == 0 {
		return nil, errors.Errorf("%s: no layers", field)
	}
	layers := make([]Layer, len(entries))
	for i, lj := range entries {
		at := lj.label(field, first+i)
		if lj.Name != "" || lj.InboundNodes != nil {
			return nil, errors.Errorf("%s: a Sequential's layers have no name or inbound_nodes beside their config", at)
		}
		l, err := lj.make()
		if err != nil {
			return nil, errors.Wrap(err, at)
		}
		if _, ok := l.(*InputLayer); ok {
			return nil, errors.Errorf("%s: an InputLayer inside a Sequential", at)
		}
		layers[i] = l
	}
	InputShape(input...)(layers[0].Base())
	return NewSequential(layers...), nil
}

// functional makes the described functional model: every layer, then
// every call, each as soon as the tensors it takes exist (a shared layer
// may take, on a later call, the output of a layer listed after it), as
// Keras 2's from_config does.
func (c *modelConfig) functional() (*Model, error) {
	type pending struct {
		layer Layer
		nodes [][]inbound
		field string
	}
	byName := map[string]int{}
	todo := make([]pending, len(c.Layers))
	outs := map[string][]*Tensor{} // each layer's outputs, by call
	for i, lj := range c.Layers {
		field := lj.label("field config.layers", i)
		l, err := lj.make()
		if err != nil {
			return nil, errors.Wrap(err, field)
		}
		if lj.Name != l.Name() {
			return nil, errors.Errorf("%s: name %q differs from config.name %q", field, lj.Name, l.Name())
		}
		if _, dup := byName[l.Name()]; dup {
			return nil, errors.Errorf("%s: a second layer named %s", field, l.Name())
		}
		byName[l.Name()] = i
		todo[i] = pending{layer: l, nodes: lj.InboundNodes, field: field}
		if in, ok := l.(*InputLayer); ok {
			if len(lj.InboundNodes) > 0 {
				return nil, errors.Errorf("%s: an InputLayer has no inbound nodes", field)
			}
			outs[l.Name()] = []*Tensor{in.output()}
		} else if len(lj.InboundNodes) == 0 {
			return nil, errors.Errorf("%s: layer %s has no inbound nodes: nothing calls it", field, l.Name())
		}
	}
	resolve := func(r ref) (*Tensor, bool, error) {
		if _, ok := byName[r.Layer]; !ok {
			return nil, false, errors.Errorf("no layer is named %q", r.Layer)
		}
		if r.Tensor != 0 || r.Call < 0 {
			return nil, false, errors.Errorf("[%q, %d, %d] names no tensor: a layer has one output (tensor 0) per call", r.Layer, r.Call, r.Tensor)
		}
		ts := outs[r.Layer]
		if r.Call < len(ts) {
			return ts[r.Call], true, nil
		}
		return nil, false, nil
	}
	for {
		left, progress := false, false
		for i := range todo {
			p := &todo[i]
			for len(p.nodes) > 0 {
				in := make([]*Tensor, len(p.nodes[0]))
				ready := true
				for k, r := range p.nodes[0] {
					t, ok, err := resolve(r.ref)
					if err != nil {
						return nil, errors.Wrapf(err, "%s: inbound node %d", p.field, len(outs[p.layer.Name()]))
					}
					ready = ready && ok
					in[k] = t
				}
				if !ready {
					left = true
					break
				}
				out := Call(p.layer, in...)
				if out.err != nil {
					return nil, errors.Wrap(out.err, p.field)
				}
				outs[p.layer.Name()] = append(outs[p.layer.Name()], out)
				p.nodes = p.nodes[1:]
				progress = true
			}
		}
		if !left {
			break
		}
		if !progress {
			for _, p := range todo {
				if len(p.nodes) > 0 {
					return nil, errors.Errorf("%s: the inputs of layer %s's call %d are never made (a cycle, or a call of a layer that is not called that often)", p.field, p.layer.Name(), len(outs[p.layer.Name()]))
				}
			}
		}
	}
	tensors := func(field string, refs []ref) ([]*Tensor, error) {
		ts := make([]*Tensor, len(refs))
		for i, r := range refs {
			t, ok, err := resolve(r)
			if err == nil && !ok {
				err = errors.Errorf("layer %s has no call %d", r.Layer, r.Call)
			}
			if err != nil {
				return nil, errors.Wrapf(err, "field config.%s[%d]", field, i)
			}
			ts[i] = t
		}
		return ts, nil
	}
	inputs, err := tensors("input_layers", c.InputLayers)
	if err != nil {
		return nil, err
	}
	outputs, err := tensors("output_layers", c.OutputLayers)
	if err != nil {
		return nil, err
	}
	m, err := newModel(c.Name, inputs, outputs)
	if err != nil {
		return nil, err
	}
	if len(m.layers) != len(c.Layers) {
		return nil, errors.Errorf("field config.layers: %d layers, of which the model between its inputs and outputs uses %d", len(c.Layers), len(m.layers))
	}
	return m, nil
}

// maxSampleValues bounds the values of one sample at any layer, and of
// any weight (8 GiB of float32), so that no shape arithmetic overflows,
// even for a hostile saved architecture.
const maxSampleValues = math.MaxInt32

// product returns the product of positive dims, and false if a dim is
// not positive or the product exceeds limit.
func product(shape []int, limit int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d <= 0 || d > limit/n {
			return 0, false
		}
		n *= d
	}
	return n, true
}
