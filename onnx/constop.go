package onnx

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// constantOps names the operations a ConstantOpLayer does, x being its
// input and c its constant: "add" x + c, "sub" x − c, "rsub" c − x and
// "mul" x ⊙ c.
var constantOps = []string{"add", "sub", "rsub", "mul"}

// ConstantOpLayer is what the importer (Load, Import, Unmarshal) makes
// of an ONNX Add, Sub or Mul with one constant operand: x + c, x − c, c − x or x ⊙ c, element-wise, where
// c is a constant of exactly one input sample's shape, the same for
// every sample of the batch. The constant is the layer's one weight,
// "constant", which training leaves as it is (it is not trainable). The
// gradient flows to x: the incoming one for x + c and x − c, its
// negation for c − x, and the incoming one times c for x ⊙ c.
//
// Its Kind is "ConstantOp" and its config {"op": …, "shape": […]}. This
// package registers it with nn.RegisterLayer when it is initialised, so
// an imported model that was saved with Model.Save loads again with
// nn.Load only in a program that imports this package (import _
// "github.com/gokeras/gokeras/onnx" where nothing else of it is used);
// elsewhere nn.Load reports the kind as unknown. Export writes it back
// as the ONNX Add, Sub or Mul it came from.
type ConstantOpLayer struct {
	nn.LayerBase
	op     string
	shape  []int
	values []float32 // the constant's initial values; nil for zeros (Load restores the saved ones)
}

// newConstantOp returns a layer computing x op c, where op is "add",
// "sub", "rsub" or "mul" and c holds values, row-major, in the given
// shape, one sample's. Plan reports a bad op or a values count that does
// not fit the shape; nil values start the constant at zeros.
func newConstantOp(kind string, values []float32, shape []int) *ConstantOpLayer {
	return &ConstantOpLayer{LayerBase: nn.NewLayerBase(), op: kind, shape: slices.Clone(shape), values: slices.Clone(values)}
}

// Kind returns "ConstantOp".
func (l *ConstantOpLayer) Kind() string { return "ConstantOp" }

// Op returns the layer's operation: "add" (x + c), "sub" (x − c), "rsub"
// (c − x) or "mul" (x ⊙ c).
func (l *ConstantOpLayer) Op() string { return l.op }

// constant returns the layer's constant weight, nil before the model is
// built.
func (l *ConstantOpLayer) constant() *tensor.Dense {
	for _, p := range l.Params() {
		if strings.HasSuffix(p.Name, "/constant") {
			return p.Value
		}
	}
	return nil
}

// check returns an error saying what is wrong with the layer's settings.
func (l *ConstantOpLayer) check() error {
	if !slices.Contains(constantOps, l.op) {
		return errors.Errorf("unknown op %q (want one of %s)", l.op, strings.Join(constantOps, ", "))
	}
	if len(l.shape) == 0 {
		return errors.New("the constant has no shape")
	}
	n := 1
	for _, d := range l.shape {
		if d <= 0 {
			return errors.Errorf("the constant's shape %s has a dimension that is not positive", shapeText(l.shape))
		}
		if n > math.MaxInt/d {
			return errors.Errorf("the constant's shape %s is too large", shapeText(l.shape))
		}
		n *= d
	}
	if l.values != nil && len(l.values) != n {
		return errors.Errorf("the constant has %d values, but its shape %s holds %d", len(l.values), shapeText(l.shape), n)
	}
	return nil
}

// Plan checks the op and that the input's samples have the constant's
// shape, and declares the constant, not trainable.
func (l *ConstantOpLayer) Plan(in [][]int) (nn.Plan, error) {
	if len(in) != 1 {
		return nn.Plan{}, errors.Errorf("a ConstantOp layer takes one input, got %d", len(in))
	}
	if err := l.check(); err != nil {
		return nn.Plan{}, err
	}
	if !slices.Equal(in[0], l.shape) {
		return nn.Plan{}, errors.Errorf("the input's samples have shape %s, but the constant's is %s: they must be the same", shapeText(in[0]), shapeText(l.shape))
	}
	return nn.Plan{Output: slices.Clone(l.shape), Weights: []nn.WeightSpec{
		{Name: "constant", Shape: slices.Clone(l.shape), Init: l.init, Trainable: false},
	}}, nil
}

// init fills the constant with the values the layer was made with, or
// zeros if it has none.
func (l *ConstantOpLayer) init(_ *rand.Rand, shape []int, values []float32) error {
	if l.values == nil {
		clear(values)
		return nil
	}
	if len(values) != len(l.values) || !slices.Equal(shape, l.shape) {
		return errors.Errorf("a constant of shape %s (%d values) asked for, but the layer's is %s (%d values)", shapeText(shape), len(values), shapeText(l.shape), len(l.values))
	}
	copy(values, l.values)
	return nil
}

// Forward builds x op c, with c, of one sample's shape, reshaped to (1,
// shape...) and broadcast along the batch axis by Gorgonia's
// BroadcastAdd, BroadcastSub or BroadcastHadamardProd, whose gradients
// give x the incoming gradient, its negation, or its product with c.
func (l *ConstantOpLayer) Forward(in, w []*G.Node, _ train.Mode) (*G.Node, error) {
	if len(in) != 1 || len(w) != 1 || in[0] == nil || w[0] == nil {
		return nil, errors.Errorf("ConstantOp: want one input and one weight, got %d and %d", len(in), len(w))
	}
	if err := l.check(); err != nil {
		return nil, errors.Wrap(err, "ConstantOp")
	}
	x, c := in[0], w[0]
	xs, cs := x.Shape(), c.Shape()
	if len(xs) != len(l.shape)+1 || !slices.Equal([]int(xs[1:]), l.shape) || !slices.Equal([]int(cs), l.shape) {
		return nil, errors.Errorf("ConstantOp: input of shape %v and constant of shape %v, want (batch, %s) and %s", xs, cs, strings.Trim(shapeText(l.shape), "()"), shapeText(l.shape))
	}
	if x.Dtype() != c.Dtype() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, errors.Errorf("ConstantOp: input is %v and constant %v, want both float32 or both float64", x.Dtype(), c.Dtype())
	}
	row, err := G.Reshape(c, append(tensor.Shape{1}, l.shape...))
	if err != nil {
		return nil, errors.Wrap(err, "ConstantOp: reshaping the constant")
	}
	var y *G.Node
	batch := []byte{0} // the constant's axis 0 is repeated batch times
	switch l.op {
	case "add":
		y, err = G.BroadcastAdd(x, row, nil, batch)
	case "sub":
		y, err = G.BroadcastSub(x, row, nil, batch)
	case "rsub":
		y, err = G.BroadcastSub(row, x, batch, nil)
	case "mul":
		y, err = G.BroadcastHadamardProd(x, row, nil, batch)
	}
	return y, errors.Wrapf(err, "ConstantOp %s", l.op)
}

// Config returns {"op": …, "shape": […]}.
func (l *ConstantOpLayer) Config() map[string]any {
	return map[string]any{"op": l.op, "shape": slices.Clone(l.shape)}
}

// shapeText writes a sample's shape: (2, 3).
func shapeText(s []int) string { return "(" + intsString(s) + ")" }

// constantOpFromConfig makes a ConstantOp layer again from its saved
// config; the model's saved weights give the constant its values.
func constantOpFromConfig(config json.RawMessage) (nn.Layer, error) {
	var cfg struct {
		Op    *string `json:"op"`
		Shape []int   `json:"shape"`
	}
	if err := nn.DecodeConfig(config, &cfg); err != nil {
		return nil, err
	}
	switch {
	case cfg.Op == nil:
		return nil, errors.New("config.op is missing")
	case cfg.Shape == nil:
		return nil, errors.New("config.shape is missing")
	}
	l := newConstantOp(*cfg.Op, nil, cfg.Shape)
	if err := l.check(); err != nil {
		return nil, errors.Wrap(err, "config")
	}
	return l, nil
}

func init() {
	if err := nn.RegisterLayer("ConstantOp", constantOpFromConfig); err != nil {
		panic(err) // registered twice: a bug in this package
	}
}

// constantOp writes l's call that made t as the ONNX Add, Sub or Mul of
// t's input, channels-last, and the constant, an initializer of shape (1,
// sample shape...) that broadcasts along the batch axis; for "rsub" the
// constant is Sub's first operand.
func (e *exporter) constantOp(t *nn.Tensor, l *ConstantOpLayer) error {
	in := t.Inputs()
	if len(in) != 1 {
		return errors.Errorf("a ConstantOp layer call with %d inputs", len(in))
	}
	c := l.constant()
	if c == nil {
		return errors.New("the layer is not built")
	}
	x, err := e.last(in[0])
	if err != nil {
		return err
	}
	k := e.initializer(l.Name()+"/constant", append([]int{1}, c.Shape()...), floats(c))
	var op string
	args := []string{x, k}
	switch l.op {
	case "add":
		op = "Add"
	case "sub":
		op = "Sub"
	case "rsub":
		op, args = "Sub", []string{k, x}
	case "mul":
		op = "Mul"
	default:
		return errors.Errorf("unknown op %q", l.op)
	}
	name := e.out(t)
	e.node(op, args, []string{name})
	e.set(t, name, false)
	return nil
}
