package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// A Layer is one stage of a Sequential model: Dense, Conv2D,
// MaxPooling2D, Flatten or Dropout. The set is closed (the methods that
// build a layer are the package's own), so that every layer can be
// summarised, and saved, as Keras would.
type Layer interface {
	// Kind is the Keras class name: "Dense", "Conv2D", ….
	Kind() string
	// Name is the layer's name: as set with Name, or given by the model
	// (dense, dense_1, conv2d, …); empty until the model names it.
	Name() string
	// Params returns the layer's weights with their Keras names
	// ("dense/kernel", "dense/bias"), nil before Build or for a layer
	// without weights. They are the tensors training updates.
	Params() []train.Param

	base() *layerBase
	// plan checks the layer against the shape of its input samples
	// (without the batch axis) and returns its output shape and how many
	// weights it will have.
	plan(in []int) (out []int, params int, err error)
	// build creates the weights for inputs of the given shape.
	build(in []int, rng *rand.Rand) error
	// forward builds the layer on x, a (batch, in...) node, with p
	// standing for Params(); for a softmax output it also returns the
	// logits.
	forward(x *G.Node, p []*G.Node, mode train.Mode) (out, logits *G.Node, err error)
}

// layerBase holds what every layer has: its name and the options given.
type layerBase struct {
	name    string
	input   []int  // from InputShape; nil if not given
	strides []int  // from Strides; nil if not given
	padding string // from Padding; "" if not given
}

func (b *layerBase) base() *layerBase { return b }

// Name returns the layer's name.
func (b *layerBase) Name() string { return b.name }

// An Option sets something on a layer when it is made. A layer given an
// option it has no use for (Strides on a Dense layer) reports it as an
// error from Build or Compile.
type Option func(*layerBase)

// InputShape gives the shape of one input sample, without the batch axis,
// as Keras's input_shape: InputShape(784) for rows of 784 features,
// InputShape(28, 28, 1) for 28×28 images of one channel. The first layer
// of a model needs it.
func InputShape(dims ...int) Option {
	return func(b *layerBase) { b.input = append([]int(nil), dims...) }
}

// Name sets the layer's name; by default a model names its layers after
// their kind, numbered from the second of each kind: dense, dense_1,
// conv2d, conv2d_1, max_pooling2d, flatten, dropout, ….
func Name(name string) Option { return func(b *layerBase) { b.name = name } }

// Strides sets the steps (rows, columns) a Conv2D kernel or a pooling
// window moves by. Conv2D defaults to (1, 1), MaxPooling2D to its pool
// size.
func Strides(rows, cols int) Option { return func(b *layerBase) { b.strides = []int{rows, cols} } }

// Padding sets a Conv2D's or MaxPooling2D's padding: "valid" (none, the
// default) or "same" (the output keeps the input's size, divided by the
// strides), as in Keras.
func Padding(p string) Option { return func(b *layerBase) { b.padding = p } }

// options applies opts to a fresh base.
func options(opts []Option) layerBase {
	var b layerBase
	for _, o := range opts {
		if o != nil {
			o(&b)
		}
	}
	return b
}

// onlyOptions returns an error naming the options of b that a layer of
// the given kind does not take: windowed says it takes strides and
// padding.
func (b *layerBase) onlyOptions(kind string, windowed bool) error {
	if windowed {
		return nil
	}
	var bad []string
	if b.strides != nil {
		bad = append(bad, "strides")
	}
	if b.padding != "" {
		bad = append(bad, "padding")
	}
	if len(bad) > 0 {
		return errors.Errorf("a %s layer takes no %s", kind, strings.Join(bad, " or "))
	}
	return nil
}

// window returns the strides (default def) and padding of a windowed
// layer, checked.
func (b *layerBase) window(def [2]int) ([2]int, graph.Padding, error) {
	s := def
	if b.strides != nil {
		if b.strides[0] <= 0 || b.strides[1] <= 0 {
			return s, 0, errors.Errorf("strides must be positive, got (%d, %d)", b.strides[0], b.strides[1])
		}
		s = [2]int{b.strides[0], b.strides[1]}
	}
	p := graph.Valid
	if b.padding != "" {
		var err error
		if p, err = graph.ParsePadding(b.padding); err != nil {
			return s, 0, err
		}
	}
	return s, p, nil
}

// snake turns a Keras class name into its default layer name:
// "MaxPooling2D" → "max_pooling2d".
func snake(kind string) string {
	var b strings.Builder
	for i, r := range kind {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(kind[i-1] >= '0' && kind[i-1] <= '9') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shapeString writes a layer's output shape as Keras's summary does, the
// batch axis first: (None, 26, 26, 32).
func shapeString(s []int) string { return dims(append([]int{-1}, s...)) }

// dims writes a sample's shape: (28, 28, 1); −1 stands for None.
func dims(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
		if d == -1 {
			parts[i] = "None"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
