package nn

import (
	"encoding/json"
	"slices"
	"sync/atomic"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// A Tensor is a symbolic tensor of the functional API, Keras's
// KerasTensor: the output of Input, or of a layer called on tensors. It
// holds no values; it records how it is computed, so that NewModel can
// make a model of the layers between inputs and outputs.
//
// A call that fails (a layer that does not fit its inputs) still returns
// a Tensor, which carries the error: calls on it carry it on, and
// NewModel returns it, naming the layer. Err tells at once.
type Tensor struct {
	call  *call
	shape []int
	err   error
}

// Shape returns the shape of one sample, without the batch axis: (28, 28,
// 1) for the tensor Input(28, 28, 1) gives. It is nil when the call that
// made the tensor failed.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Layer returns the layer whose call made the tensor (an *InputLayer for
// Input's tensors; nil for the tensor of a call of a nil layer).
func (t *Tensor) Layer() Layer {
	if t.call == nil {
		return nil
	}
	return t.call.layer
}

// Inputs returns the tensors the layer was called on to make t, in order
// (none for Input's tensors): following them from a model's outputs
// walks its graph, as exporters do.
func (t *Tensor) Inputs() []*Tensor {
	if t.call == nil {
		return nil
	}
	return slices.Clone(t.call.in)
}

// Err returns the error of the call that made the tensor, or of a call
// before it; nil if all went well.
func (t *Tensor) Err() error { return t.err }

// A call is one application of a layer to tensors: Keras's Node.
type call struct {
	layer Layer
	in    []*Tensor
	out   *Tensor
	index int    // the call's number among the layer's calls, from 0
	seq   uint64 // order of creation among all calls: a topological order
}

// calls numbers the calls made, in order.
var calls atomic.Uint64

// Call calls layer l on the given tensors, as Keras's layer(x): it plans
// the layer against the inputs' shapes and returns the output tensor. A
// layer called several times shares its weights across the calls, which
// must then need weights of the same shapes. Merge layers (Add,
// Concatenate, Multiply) take several inputs, the others one.
//
// Call never fails outright: a nil layer or tensor, an input whose own
// call failed, or inputs the layer does not fit give a Tensor whose Err
// says what went wrong, and NewModel returns that error.
func Call(l Layer, inputs ...*Tensor) *Tensor {
	t := &Tensor{}
	if l == nil || l.Base() == nil {
		t.err = errors.New("calling a nil layer")
		return t
	}
	t.call = &call{layer: l, in: slices.Clone(inputs), out: t, seq: calls.Add(1)}
	if _, ok := l.(*InputLayer); ok {
		t.err = errors.New("an InputLayer is not called on tensors: use Input")
		return t
	}
	if len(inputs) == 0 {
		t.err = errors.Errorf("%s %s layer called on no tensors", article(l.Kind()), l.Kind())
		return t
	}
	shapes := make([][]int, len(inputs))
	for i, x := range inputs {
		switch {
		case x == nil:
			t.err = errors.Errorf("%s %s layer called on a nil tensor (input %d)", article(l.Kind()), l.Kind(), i)
			return t
		case x.err != nil:
			t.err = x.err
			return t
		}
		shapes[i] = x.shape
	}
	p, err := plan(l, shapes)
	if err != nil {
		t.err = &callError{call: t.call, err: err}
		return t
	}
	b := l.Base()
	if b.first == nil {
		b.first, b.specs = shapes, p.Weights
	}
	t.call.index = b.calls
	b.calls++
	t.shape = p.Output
	return t
}

// A callError is a layer's failure to fit its inputs; its message names
// the layer once the model has named it.
type callError struct {
	call *call
	err  error
}

func (e *callError) Error() string {
	l := e.call.layer
	name := l.Base().Name()
	if name == "" {
		name = "a " + l.Kind() + " layer"
	} else {
		name = "layer " + name + " (" + l.Kind() + ")"
	}
	shapes := make([][]int, len(e.call.in))
	for i, x := range e.call.in {
		shapes[i] = x.shape
	}
	return name + " called on " + shapeList(shapes) + ": " + e.err.Error()
}

func (e *callError) Unwrap() error { return e.err }

// InputLayer is the layer Input makes: it stands for data fed to a model
// and computes nothing. It has no weights.
type InputLayer struct {
	LayerBase
	shape []int
	out   *Tensor // the tensor that stands for the input
}

// Input returns a tensor that stands for a model's input, samples of the
// given shape without the batch axis: Input(784) for rows of 784
// features, Input(28, 28, 1) for 28×28 images of one channel. Its layer
// is named input_1, input_2, … by the model unless named with
// NamedInput. A shape with a dimension below 1 gives a tensor whose Err
// says so.
func Input(shape ...int) *Tensor { return NamedInput("", shape...) }

// NamedInput is Input with the input layer's name.
func NamedInput(name string, shape ...int) *Tensor {
	l := &InputLayer{LayerBase: NewLayerBase(Name(name)), shape: slices.Clone(shape)}
	return l.output()
}

// output returns the tensor that stands for the input, making it the
// first time.
func (l *InputLayer) output() *Tensor {
	if l.out != nil {
		return l.out
	}
	t := &Tensor{shape: l.shape}
	t.call = &call{layer: l, out: t, seq: calls.Add(1)}
	l.calls, l.out = 1, t
	if len(l.shape) == 0 {
		t.err = errors.New("Input: no shape given")
	} else if _, ok := product(l.shape, maxSampleValues); !ok {
		t.err = errors.Errorf("Input: shape %s has a dimension that is not positive, or too many values", dims(l.shape))
	}
	return t
}

// Kind returns "InputLayer".
func (l *InputLayer) Kind() string { return "InputLayer" }

// Shape returns the shape of one input sample.
func (l *InputLayer) Shape() []int { return slices.Clone(l.shape) }

// Plan gives the input's shape; an InputLayer has no inputs.
func (l *InputLayer) Plan(in [][]int) (Plan, error) {
	if len(in) != 0 {
		return Plan{}, errors.New("an InputLayer takes no inputs")
	}
	return Plan{Output: slices.Clone(l.shape)}, nil
}

// Forward is never called: the model feeds an input layer's tensor.
func (l *InputLayer) Forward(in []*G.Node, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return nil, errors.New("an InputLayer computes nothing")
}

// Config returns Keras 2's {"batch_input_shape": [null, dims...]}.
func (l *InputLayer) Config() map[string]any {
	shape := []any{nil}
	for _, d := range l.shape {
		shape = append(shape, d)
	}
	return map[string]any{"batch_input_shape": shape}
}

func init() {
	mustRegister("InputLayer", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			BatchInputShape []*int `json:"batch_input_shape"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if len(cfg.BatchInputShape) < 2 || cfg.BatchInputShape[0] != nil {
			return nil, errors.New("config.batch_input_shape: want [null, dimensions...]")
		}
		shape := make([]int, len(cfg.BatchInputShape)-1)
		for i, d := range cfg.BatchInputShape[1:] {
			if d == nil {
				return nil, errors.Errorf("config.batch_input_shape: dimension %d is null; only the batch may be", i+1)
			}
			shape[i] = *d
		}
		return &InputLayer{shape: shape}, nil
	})
}
