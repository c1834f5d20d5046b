package nn

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A Layer is one stage of a model: Dense, Conv2D, BatchNormalization, …,
// or a layer of one's own. A layer embeds a LayerBase (which gives it a
// name, a trainable flag and its weights) and says, through the other
// methods, what it computes, what weights it needs and how it is saved;
// RegisterLayer tells Load how to make it again from its Config. The
// model does the rest: it names the layer, checks it against its inputs
// (Plan), creates its weights from the model's seed, builds its graph
// (Forward), summarises, saves and loads it.
//
// A layer may be called on tensors once (Sequential does it) or several
// times (Call): every call shares the layer's weights.
type Layer interface {
	// Kind is the layer's class name, as Keras names it ("Dense",
	// "Conv2D", …); Save records it and Load finds the layer's
	// constructor by it (RegisterLayer).
	Kind() string
	// Name returns the layer's name (LayerBase gives it).
	Name() string
	// Params returns the layer's weights once built (LayerBase gives it).
	Params() []train.Param
	// Base returns the layer's LayerBase, which it embeds.
	Base() *LayerBase
	// Plan checks the layer against the shapes of one sample of each of
	// its inputs (without the batch axis) and returns the shape of one
	// sample of its output and the weights it needs. It must not change
	// the layer: it is called for every call of the layer and by
	// Summary. Bad inputs or settings are an error saying what is wrong
	// (the model adds the layer's name).
	Plan(inputs [][]int) (Plan, error)
	// Forward builds the layer in the graph of its input nodes, each
	// (batch, input shape...), with weights[i] standing for the weight
	// Plan declared i-th, and returns the (batch, output shape...) node.
	// mode says whether the graph is for training (dropout drops, batch
	// normalisation uses batch statistics) and gives the generator random
	// ops draw from.
	Forward(inputs []*G.Node, weights []*G.Node, mode train.Mode) (*G.Node, error)
	// Config returns the layer's settings as Keras's get_config does,
	// without "name" and "trainable", which the LayerBase adds: for
	// Dense {"units": 512, "activation": "relu"}. Each value must encode
	// as JSON; the layer's registered constructor gets them back.
	Config() map[string]any
}

// A Plan is what a layer makes of its inputs: the shape of one sample of
// its output, without the batch axis, and the weights it needs, in the
// order Forward takes them.
type Plan struct {
	Output  []int
	Weights []WeightSpec
}

// A WeightSpec describes one weight of a layer: its name within the layer
// ("kernel"; the model calls it "dense/kernel"), its shape, how it starts
// and whether training updates it. A weight that is not trainable
// (BatchNormalization's moving statistics, which the layer updates
// itself) gets no gradient and no optimizer state; a layer whose
// SetTrainable(false) was called makes all its weights so.
type WeightSpec struct {
	Name      string
	Shape     []int
	Init      Initializer
	Trainable bool
}

// An Initializer fills the values of a new weight of the given shape, in
// row-major order, drawing any random numbers from rng alone, so that the
// same seed gives the same weights.
type Initializer func(rng *rand.Rand, shape []int, values []float32) error

// GlorotUniform is Keras's default kernel initialiser: U(−l, l), l =
// √(6 / (fan in + fan out)), with the fans Keras computes from the shape:
// (in, out) for a matrix, kh·kw·in and kh·kw·out for a (kh, kw, in, out)
// convolution kernel, the length for a vector.
func GlorotUniform(rng *rand.Rand, shape []int, values []float32) error {
	in, out := fans(shape)
	return graph.GlorotUniformFans(rng, in, out, values)
}

// fans returns Keras's fan in and fan out of a weight of the given shape.
func fans(shape []int) (in, out int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	}
	receptive := 1
	for _, d := range shape[:len(shape)-2] {
		receptive *= d
	}
	return shape[len(shape)-2] * receptive, shape[len(shape)-1] * receptive
}

// Zeros sets every value to 0 (Keras's "zeros": biases, beta, moving
// means).
func Zeros(_ *rand.Rand, _ []int, values []float32) error {
	clear(values)
	return nil
}

// Ones sets every value to 1 (Keras's "ones": gamma, moving variances).
func Ones(_ *rand.Rand, _ []int, values []float32) error {
	for i := range values {
		values[i] = 1
	}
	return nil
}

// LayerBase is what every layer has: a name, a trainable flag, the
// options it was made with, and, once its model is built, its weights.
// Embed it in a layer of one's own, made with NewLayerBase.
type LayerBase struct {
	name    string
	frozen  bool    // SetTrainable(false)
	input   []int   // from InputShape; nil if not given
	strides []int   // from Strides; nil if not given
	padding string  // from Padding; "" if not given
	calls   int     // times the layer was called on tensors
	first   [][]int // the input shapes of its first call
	specs   []WeightSpec
	weights []*tensor.Dense // nil until built
}

// NewLayerBase returns a base with the options given (Name, InputShape,
// and, for the windowed layers, Strides and Padding), for a layer of one's
// own to embed.
func NewLayerBase(opts ...Option) LayerBase {
	var b LayerBase
	for _, o := range opts {
		if o != nil {
			o(&b)
		}
	}
	return b
}

// Base returns b itself: embedding LayerBase gives a layer this method
// of the Layer interface.
func (b *LayerBase) Base() *LayerBase { return b }

// Name returns the layer's name: as set with the Name option, or given by
// the model (dense, dense_1, conv2d, …); empty until a model names it.
func (b *LayerBase) Name() string { return b.name }

// Trainable reports whether training updates the layer's weights (true
// unless SetTrainable(false) was called).
func (b *LayerBase) Trainable() bool { return !b.frozen }

// SetTrainable freezes (false) or unfreezes (true) the layer's weights,
// as Keras's layer.trainable: a frozen layer's weights get no gradient,
// and a frozen BatchNormalization runs in inference mode even in Fit.
// It takes effect at the next Compile.
func (b *LayerBase) SetTrainable(on bool) { b.frozen = !on }

// Params returns the layer's weights with their model names
// ("dense/kernel") and whether training updates each; nil before the
// model is built. The tensors are the ones training updates in place:
// change them only between calls of Fit, Evaluate and Predict.
func (b *LayerBase) Params() []train.Param {
	if b.weights == nil {
		return nil
	}
	p := make([]train.Param, len(b.weights))
	for i, w := range b.weights {
		p[i] = train.Param{Name: b.name + "/" + b.specs[i].Name, Value: w, Trainable: b.specs[i].Trainable && !b.frozen}
	}
	return p
}

// weight returns the weight named name, nil before the model is built.
func (b *LayerBase) weight(name string) *tensor.Dense {
	for i, s := range b.specs {
		if s.Name == name && b.weights != nil {
			return b.weights[i]
		}
	}
	return nil
}

// build creates the weights the first call planned, drawing from rng;
// a layer built already (shared with a model built before) keeps its
// weights.
func (b *LayerBase) build(rng *rand.Rand) error {
	if b.weights != nil {
		return nil
	}
	ws := make([]*tensor.Dense, len(b.specs))
	for i, s := range b.specs {
		n, ok := product(s.Shape, maxSampleValues)
		if !ok {
			return errors.Errorf("weight %s has shape %s: a dimension is not positive or it is too large", s.Name, dims(s.Shape))
		}
		v := make([]float32, n)
		if s.Init == nil {
			return errors.Errorf("weight %s has no initializer", s.Name)
		}
		if err := s.Init(rng, s.Shape, v); err != nil {
			return errors.Wrapf(err, "initialising weight %s", s.Name)
		}
		ws[i] = tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(v))
	}
	b.weights = ws
	return nil
}

// paramCounts returns the numbers of trainable and non-trainable values
// of the weights the layer plans.
func (b *LayerBase) paramCounts() (trainable, frozen int) {
	for _, s := range b.specs {
		n, _ := product(s.Shape, maxSampleValues)
		if s.Trainable && !b.frozen {
			trainable += n
		} else {
			frozen += n
		}
	}
	return trainable, frozen
}

// An Option sets something on a layer when it is made. A layer given an
// option it has no use for (Strides on a Dense layer) reports it as an
// error when it is called or built.
type Option func(*LayerBase)

// InputShape gives the shape of one input sample, without the batch axis,
// as Keras's input_shape: InputShape(784) for rows of 784 features,
// InputShape(28, 28, 1) for 28×28 images of one channel. The first layer
// of a Sequential model needs it; in a functional model Input gives the
// shapes instead.
func InputShape(dims ...int) Option {
	return func(b *LayerBase) { b.input = append([]int(nil), dims...) }
}

// Name sets the layer's name; by default a model names its layers after
// their kind, numbered from the second of each kind: dense, dense_1,
// conv2d, conv2d_1, max_pooling2d, flatten, dropout, ….
func Name(name string) Option { return func(b *LayerBase) { b.name = name } }

// Strides sets the steps (rows, columns) a Conv2D kernel or a pooling
// window moves by. Conv2D defaults to (1, 1), the pooling layers to
// their pool size.
func Strides(rows, cols int) Option { return func(b *LayerBase) { b.strides = []int{rows, cols} } }

// Padding sets a Conv2D's or a pooling layer's padding: "valid" (none,
// the default) or "same" (the output keeps the input's size, divided by
// the strides), as in Keras.
func Padding(p string) Option { return func(b *LayerBase) { b.padding = p } }

// windowed is implemented by the layers that take Strides and Padding.
type windowed interface{ windowed() }

// checkOptions returns an error naming the options l was given that it
// has no use for.
func checkOptions(l Layer) error {
	if _, ok := l.(windowed); ok {
		return nil
	}
	b := l.Base()
	var bad []string
	if b.strides != nil {
		bad = append(bad, "strides")
	}
	if b.padding != "" {
		bad = append(bad, "padding")
	}
	if len(bad) > 0 {
		return errors.Errorf("%s %s layer takes no %s", article(l.Kind()), l.Kind(), strings.Join(bad, " or "))
	}
	return nil
}

// window returns the strides (default def) and padding of a windowed
// layer, checked.
func (b *LayerBase) window(def [2]int) ([2]int, graph.Padding, error) {
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

// plan runs l's Plan on inputs of the given shapes and checks the result
// against what the layer is: options it has no use for, an output too
// large, weights that differ from those of an earlier call (a shared
// layer's weights are the same for every call).
func plan(l Layer, in [][]int) (Plan, error) {
	if err := checkOptions(l); err != nil {
		return Plan{}, err
	}
	for i, s := range in {
		if _, ok := product(s, maxSampleValues); !ok {
			return Plan{}, errors.Errorf("input %d has samples of shape %s: a dimension is not positive, or they are too large (more than %d values)", i, dims(s), maxSampleValues)
		}
	}
	p, err := l.Plan(in)
	if err != nil {
		return Plan{}, err
	}
	if _, ok := product(p.Output, maxSampleValues); !ok || len(p.Output) == 0 {
		return Plan{}, errors.Errorf("the output's samples would have shape %s: empty, a dimension not positive, or too large", dims(p.Output))
	}
	seen := map[string]bool{}
	for _, w := range p.Weights {
		if w.Name == "" || strings.Contains(w.Name, "/") || seen[w.Name] {
			return Plan{}, errors.Errorf("weight name %q: want a unique non-empty name without '/'", w.Name)
		}
		seen[w.Name] = true
	}
	b := l.Base()
	if b.first != nil && !sameSpecs(b.specs, p.Weights) {
		return Plan{}, errors.Errorf("called on inputs of shape %s, it needs weights of other shapes than on its first call, on %s; a layer's calls share its weights", shapeList(in), shapeList(b.first))
	}
	return p, nil
}

func sameSpecs(a, b []WeightSpec) bool {
	return slices.EqualFunc(a, b, func(x, y WeightSpec) bool { return x.Name == y.Name && slices.Equal(x.Shape, y.Shape) })
}

// snake turns a Keras class name into its default layer name as Keras's
// to_snake_case does: "MaxPooling2D" → "max_pooling2d",
// "BatchNormalization" → "batch_normalization", "ReLU" → "re_lu".
func snake(kind string) string {
	s := camelWord.ReplaceAllString(kind, "${1}_${2}")
	return strings.ToLower(lowerUpper.ReplaceAllString(s, "${1}_${2}"))
}

var (
	camelWord  = regexp.MustCompile(`(.)([A-Z][a-z0-9]+)`)
	lowerUpper = regexp.MustCompile(`([a-z])([A-Z])`)
)

// shapeString writes an output shape as Keras's summary does, the batch
// axis first: (None, 26, 26, 32).
func shapeString(s []int) string { return dims(append([]int{-1}, s...)) }

// shapeList writes several sample shapes: (28, 28, 1), (10).
func shapeList(in [][]int) string {
	parts := make([]string, len(in))
	for i, s := range in {
		parts[i] = dims(s)
	}
	return strings.Join(parts, ", ")
}

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
