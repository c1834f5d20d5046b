package nn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// archName is the name, in a saved model's .npz, of the uint8 array that
// holds the architecture as UTF-8 JSON.
const archName = "gokeras_model.json"

// archFormat and archVersion mark a file as a gokeras model of this
// layout; Load refuses other formats and newer versions.
const (
	archFormat  = "gokeras"
	archVersion = 1
)

// modelJSON is the architecture (and, once compiled, the training state
// that is not arrays) as saved in gokeras_model.json. The layer entries
// follow Keras's config.json: {"class_name": "Dense", "config": {"name":
// "dense", "units": 512, "activation": "relu"}}.
type modelJSON struct {
	Format     string        `json:"format"`
	Version    int           `json:"version"`
	ClassName  string        `json:"class_name"`
	InputShape []int         `json:"input_shape"`
	Layers     []layerJSON   `json:"layers"`
	Training   *trainingJSON `json:"training,omitempty"`
}

type layerJSON struct {
	ClassName string      `json:"class_name"`
	Config    layerConfig `json:"config"`
}

// layerConfig holds every setting any layer kind has; each kind uses
// some, and a setting of another kind is an error on load.
type layerConfig struct {
	Name       string   `json:"name"`
	Units      *int     `json:"units,omitempty"`
	Filters    *int     `json:"filters,omitempty"`
	KernelSize []int    `json:"kernel_size,omitempty"`
	PoolSize   []int    `json:"pool_size,omitempty"`
	Strides    []int    `json:"strides,omitempty"`
	Padding    *string  `json:"padding,omitempty"`
	Activation *string  `json:"activation,omitempty"`
	Rate       *float64 `json:"rate,omitempty"`
}

// trainingJSON is what Compile was given and how far training went.
type trainingJSON struct {
	Loss          string        `json:"loss"`
	Metrics       []string      `json:"metrics"`
	Optimizer     optimizerJSON `json:"optimizer"`
	EpochsTrained int           `json:"epochs_trained"`
}

type optimizerJSON struct {
	Name   string             `json:"name"`
	Config map[string]float64 `json:"config"`
	Step   int64              `json:"step"`
}

// activations are the activations a file may name.
var activations = map[string]Activation{
	"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax, "linear": Linear,
}

// paddings are the paddings a file may name.
var paddings = map[string]bool{"valid": true, "same": true}

// architecture describes the built model m as JSON, without training
// state.
func (m *Sequential) architecture() (*modelJSON, error) {
	a := &modelJSON{Format: archFormat, Version: archVersion, ClassName: "Sequential",
		InputShape: append([]int(nil), m.layers[0].base().input...)}
	for i, l := range m.layers {
		c := layerConfig{Name: l.Name()}
		switch l := l.(type) {
		case *DenseLayer:
			c.Units, c.Activation = ptr(l.units), ptr(l.activation.Name())
		case *Conv2DLayer:
			s, p, err := l.window([2]int{1, 1})
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d (%s)", i, l.Name())
			}
			c.Filters, c.KernelSize, c.Activation = ptr(l.filters), l.size[:], ptr(l.activation.Name())
			c.Strides, c.Padding = s[:], ptr(p.String())
		case *MaxPooling2DLayer:
			s, p, err := l.window(l.pool)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %d (%s)", i, l.Name())
			}
			c.PoolSize, c.Strides, c.Padding = l.pool[:], s[:], ptr(p.String())
		case *FlattenLayer:
		case *DropoutLayer:
			c.Rate = ptr(l.rate)
		default:
			return nil, errors.Errorf("layer %d (%s): cannot save a %s layer", i, l.Name(), l.Kind())
		}
		a.Layers = append(a.Layers, layerJSON{ClassName: l.Kind(), Config: c})
	}
	return a, nil
}

func ptr[T any](v T) *T { return &v }

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
		return nil, errors.Errorf("field version is %d; this gokeras reads version %d", a.Version, archVersion)
	case a.ClassName != "Sequential":
		return nil, errors.Errorf("field class_name is %q, want \"Sequential\"", a.ClassName)
	case len(a.InputShape) == 0:
		return nil, errors.New("field input_shape is missing or empty")
	case len(a.Layers) == 0:
		return nil, errors.New("field layers is missing or empty")
	}
	return &a, nil
}

// model rebuilds the described layers as an unbuilt Sequential. Every
// setting is checked for presence and kind here; the values themselves
// are checked by the model's plan, as for a model written in code.
func (a *modelJSON) model() (*Sequential, error) {
	layers := make([]Layer, len(a.Layers))
	for i, lj := range a.Layers {
		l, err := lj.layer()
		if err != nil {
			return nil, errors.Wrapf(err, "field layers[%d] (%s)", i, lj.Config.Name)
		}
		if i == 0 {
			InputShape(a.InputShape...)(l.base())
		}
		layers[i] = l
	}
	return NewSequential(layers...), nil
}

// layer makes the layer an entry describes.
func (lj layerJSON) layer() (Layer, error) {
	c := lj.Config
	if c.Name == "" {
		return nil, errors.New("config.name is missing")
	}
	var (
		need, allow []string // settings the kind must have, may have
	)
	switch lj.ClassName {
	case "Dense":
		need = []string{"units", "activation"}
	case "Conv2D":
		need, allow = []string{"filters", "kernel_size", "activation"}, []string{"strides", "padding"}
	case "MaxPooling2D":
		need, allow = []string{"pool_size"}, []string{"strides", "padding"}
	case "Flatten":
	case "Dropout":
		need = []string{"rate"}
	default:
		return nil, errors.Errorf("class_name: unknown layer kind %q (want Dense, Conv2D, MaxPooling2D, Flatten or Dropout)", lj.ClassName)
	}
	set := c.settings()
	for _, k := range need {
		if !set[k] {
			return nil, errors.Errorf("config.%s is missing: a %s layer needs it", k, lj.ClassName)
		}
	}
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !contains(need, k) && !contains(allow, k) {
			return nil, errors.Errorf("config.%s: a %s layer has no such setting", k, lj.ClassName)
		}
	}
	var act Activation
	if c.Activation != nil {
		a, ok := activations[*c.Activation]
		if !ok {
			return nil, errors.Errorf("config.activation: unknown activation %q (want relu, sigmoid, tanh, softmax or linear)", *c.Activation)
		}
		act = a
	}
	opts := []Option{Name(c.Name)}
	if c.Padding != nil {
		if !paddings[*c.Padding] {
			return nil, errors.Errorf("config.padding: unknown padding %q (want valid or same)", *c.Padding)
		}
		opts = append(opts, Padding(*c.Padding))
	}
	for _, f := range []struct {
		name string
		v    []int
	}{{"kernel_size", c.KernelSize}, {"pool_size", c.PoolSize}, {"strides", c.Strides}} {
		if f.v != nil && len(f.v) != 2 {
			return nil, errors.Errorf("config.%s has %d values, want 2", f.name, len(f.v))
		}
	}
	if c.Strides != nil {
		opts = append(opts, Strides(c.Strides[0], c.Strides[1]))
	}
	switch lj.ClassName {
	case "Dense":
		return Dense(*c.Units, act, opts...), nil
	case "Conv2D":
		return Conv2D(*c.Filters, [2]int{c.KernelSize[0], c.KernelSize[1]}, act, opts...), nil
	case "MaxPooling2D":
		return MaxPooling2D([2]int{c.PoolSize[0], c.PoolSize[1]}, opts...), nil
	case "Flatten":
		return Flatten(opts...), nil
	default: // Dropout
		if math.IsNaN(*c.Rate) {
			return nil, errors.New("config.rate is not a number")
		}
		return Dropout(*c.Rate, opts...), nil
	}
}

// settings returns the names of the settings present.
func (c layerConfig) settings() map[string]bool {
	s := map[string]bool{}
	for k, present := range map[string]bool{
		"units": c.Units != nil, "filters": c.Filters != nil, "kernel_size": c.KernelSize != nil,
		"pool_size": c.PoolSize != nil, "strides": c.Strides != nil, "padding": c.Padding != nil,
		"activation": c.Activation != nil, "rate": c.Rate != nil,
	} {
		if present {
			s[k] = true
		}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maxSampleValues bounds the values of one sample at any layer (8 GiB
// of float32), so that no shape arithmetic overflows, even for a hostile
// saved architecture.
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

// paramShapes returns the shapes of the weights a layer has for inputs of
// the given shape, in Params order.
func paramShapes(l Layer, in []int) [][]int {
	switch l := l.(type) {
	case *DenseLayer:
		return [][]int{{in[0], l.units}, {l.units}}
	case *Conv2DLayer:
		return [][]int{{l.size[0], l.size[1], in[2], l.filters}, {l.filters}}
	}
	return nil
}

// shapeText writes a shape as numpy does: (784, 512), (512,).
func shapeText(s []int) string {
	if len(s) == 1 {
		return fmt.Sprintf("(%d,)", s[0])
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
