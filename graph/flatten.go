package graph

import (
	"fmt"
	"strings"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten returns x, a (batch, d1, d2, …) node, as a (batch, d1·d2·…)
// matrix, as Keras's Flatten does for channels-last data: row b holds
// x[b] in row-major order. A 2-D x is returned as is.
//
// The result shares x's memory: no value is copied, and the op keeps the
// matrix header from run to run, so a run allocates nothing while x's
// buffer stays the same (a new buffer for x costs one header). Its
// gradient shares the incoming gradient's memory the same way, shaped like
// x. Because of the sharing, an op that overwrites its input in place
// would change x too; none of this package's ops does.
//
// A nil node, a node of fewer than 2 dimensions or an empty batch, or a
// type other than float32 or float64 is an error naming the shape.
func Flatten(x *G.Node) (*G.Node, error) {
	if err := checkFloatNode("Flatten input", x, 0, ""); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if xs.Dims() < 2 {
		return nil, errors.Errorf("Flatten needs a (batch, d1, …) node of at least 2 dimensions, got %v with shape %v", x.Name(), xs)
	}
	if xs.Dims() == 2 {
		return x, nil
	}
	if xs[0] < 1 {
		return nil, errors.Errorf("Flatten: input shape %v has an empty batch", xs)
	}
	y, err := G.ApplyOp(newView("Flatten", xs.Clone(), tensor.Shape{xs[0], xs.TotalSize() / xs[0]}), x)
	return y, errors.Wrap(err, "Flatten")
}

// viewOp gives its input, a contiguous tensor of shape from, the shape to
// without copying: its output is a header it keeps over the input's
// memory. Flatten is one (kind "Flatten") and Reshape another (kind
// "Reshape"); the gradient of a view of kind K is a view back to the
// input's shape of kind K + "Grad" (and that of a "KGrad" one is a "K").
// kind and both shapes are in the op's name.
type viewOp struct {
	opInfo
	kind     string
	from, to tensor.Shape
	view     *tensor.Dense // the last run's output
}

func newView(kind string, from, to tensor.Shape) *viewOp {
	return &viewOp{opInfo: opInfo{fmt.Sprintf("%s(%v to %v)", kind, from, to)}, kind: kind, from: from, to: to}
}

func (op *viewOp) Arity() int { return 1 }

func (op *viewOp) Type() hm.Type { return fnType(op.from.Dims(), op.to.Dims()) }

func (op *viewOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], op.from.Dims())
	if err != nil {
		return nil, err
	}
	if !shapeIs(s, op.from...) {
		return nil, errors.Errorf("%s: input has shape %v", op.name, s)
	}
	return op.to.Clone(), nil
}

func (op *viewOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(vals))
	}
	if s := vals[0].Shape(); !shapeIs(s, op.from...) {
		return nil, errors.Errorf("%s: input has shape %v", op.name, s)
	}
	return dispatch(op, vals, 0, viewDo[float32], viewDo[float64])
}

// viewDo returns the op's header over v's memory, making a new one only
// when v's buffer, the type or the header's shape changed.
func viewDo[T float32 | float64](op *viewOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[0]
	x, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	if op.view != nil && op.view.Dtype() == dt && shapeIs(op.view.Shape(), op.to...) {
		if old, err := floats[T](op.name, op.view); err == nil && len(old) == len(x) && (len(x) == 0 || &old[0] == &x[0]) {
			return op.view, nil
		}
	}
	op.view = tensor.New(tensor.WithShape(op.to.Clone()...), tensor.WithBacking(x))
	return op.view, nil
}

// DiffWRT reports that the view is differentiable.
func (op *viewOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns the incoming gradient viewed in the input's shape.
func (op *viewOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	kind, ok := strings.CutSuffix(op.kind, "Grad")
	if !ok {
		kind = op.kind + "Grad"
	}
	dx, err := G.ApplyOp(newView(kind, op.to.Clone(), op.from.Clone()), grad)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: gradient", op.name)
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*viewOp)(nil)
