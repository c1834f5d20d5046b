package graph

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rowOp is the Gorgonia Op behind this package's row-wise operations
// (softmax, log-softmax, the cross-entropies and their gradients). Every
// input is a 2-D matrix except, optionally, a trailing scalar (the
// incoming gradient of a scalar loss). The output is either a matrix of
// the first input's shape or, for a loss, a scalar.
type rowOp struct {
	opInfo
	matrices  int  // number of 2-D inputs
	scalarIn  bool // a trailing scalar input follows the matrices
	scalarOut bool // the output is a scalar instead of a matrix
	differWRT []bool
	do64      func(in [][]float64, s float64, rows, cols int, out []float64) (float64, error)
	do32      func(in [][]float32, s float32, rows, cols int, out []float32) (float32, error)
	symDiff   func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)

	// What the op keeps from run to run, so that running it allocates
	// nothing: its output and the slices of its inputs.
	out   owned
	s32   *G.F32
	s64   *G.F64
	ins32 [][]float32
	ins64 [][]float64
}

// kernel adapts one generic row kernel to both float types.
func kernel(op *rowOp, f64 func(in [][]float64, s float64, rows, cols int, out []float64) (float64, error),
	f32 func(in [][]float32, s float32, rows, cols int, out []float32) (float32, error)) *rowOp {
	op.do64, op.do32 = f64, f32
	return op
}

func (op *rowOp) Arity() int {
	if op.scalarIn {
		return op.matrices + 1
	}
	return op.matrices
}

func (op *rowOp) Type() hm.Type {
	dims := make([]int, op.matrices, op.Arity()+1)
	for i := range dims {
		dims[i] = 2
	}
	if op.scalarIn {
		dims = append(dims, 0)
	}
	if op.scalarOut {
		return fnType(append(dims, 0)...)
	}
	return fnType(append(dims, 2)...)
}

func (op *rowOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(in))
	}
	first, ok := in[0].(tensor.Shape)
	if !ok || first.Dims() != 2 {
		return nil, errors.Errorf("%s needs a 2-D (batch, features) input, got shape %v", op.name, in[0])
	}
	for i := 1; i < op.matrices; i++ {
		s, ok := in[i].(tensor.Shape)
		if !ok || !s.Eq(first) {
			return nil, errors.Errorf("%s: input %d has shape %v, want %v like input 0", op.name, i, in[i], first)
		}
	}
	if op.scalarOut {
		return tensor.ScalarShape(), nil
	}
	return first.Clone(), nil
}

func (op *rowOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(vals))
	}
	first, ok := vals[0].(tensor.Tensor)
	if !ok || first.Shape().Dims() != 2 {
		return nil, errors.Errorf("%s needs a 2-D input, got %T %v", op.name, vals[0], vals[0].Shape())
	}
	var scalar float64
	if op.scalarIn {
		s, err := scalarValue(vals[len(vals)-1])
		if err != nil {
			return nil, errors.Wrapf(err, "%s: incoming gradient", op.name)
		}
		scalar = s
	}
	switch first.Dtype() {
	case tensor.Float64:
		if op.ins64 == nil {
			op.ins64 = make([][]float64, op.matrices)
		}
		v, err := rowDo(op, vals, first, op.ins64, scalar, op.do64)
		switch {
		case err != nil:
			return nil, err
		case op.scalarOut:
			return op.scalar64(v), nil
		}
		return op.out.t, nil
	case tensor.Float32:
		if op.ins32 == nil {
			op.ins32 = make([][]float32, op.matrices)
		}
		v, err := rowDo(op, vals, first, op.ins32, scalar, op.do32)
		switch {
		case err != nil:
			return nil, err
		case op.scalarOut:
			return op.scalar32(v), nil
		}
		return op.out.t, nil
	default:
		return nil, errors.Errorf("%s supports float32 and float64, got %v", op.name, first.Dtype())
	}
}

// rowDo runs the op's kernel for element type T on the matrix inputs. A
// matrix result goes to the op's own output, shaped like the first input;
// a scalar result is returned.
func rowDo[T float32 | float64](op *rowOp, vals []G.Value, first tensor.Tensor, ins [][]T, scalar float64,
	f func(in [][]T, s T, rows, cols int, out []T) (T, error)) (T, error) {
	for i := range ins {
		if !vals[i].Shape().Eq(first.Shape()) {
			return 0, errors.Errorf("%s: input %d has shape %v, want %v", op.name, i, vals[i].Shape(), first.Shape())
		}
		d, err := floats[T](op.name, vals[i])
		if err != nil {
			return 0, errors.Wrapf(err, "input %d", i)
		}
		ins[i] = d
	}
	rows, cols := first.Shape()[0], first.Shape()[1]
	var out []T
	if !op.scalarOut {
		out, _ = floats[T](op.name, op.out.matrix(first.Dtype(), rows, cols))
	}
	v, err := f(ins, T(scalar), rows, cols, out)
	return v, errors.Wrap(err, op.name)
}

// scalar32 and scalar64 return the op's own scalar output holding v.
func (op *rowOp) scalar32(v float32) G.Value {
	if op.s32 == nil {
		op.s32 = new(G.F32)
	}
	*op.s32 = G.F32(v)
	return op.s32
}

func (op *rowOp) scalar64(v float64) G.Value {
	if op.s64 == nil {
		op.s64 = new(G.F64)
	}
	*op.s64 = G.F64(v)
	return op.s64
}

func scalarValue(v G.Value) (float64, error) {
	switch d := v.(type) {
	case *G.F64:
		return float64(*d), nil
	case *G.F32:
		return float64(*d), nil
	case *tensor.Dense:
		if d.Shape().TotalSize() == 1 {
			switch d.Dtype() {
			case tensor.Float64:
				return d.Float64s()[0], nil
			case tensor.Float32:
				return float64(d.Float32s()[0]), nil
			}
		}
	}
	return 0, errors.Errorf("want a float scalar, got %T with shape %v", v, v.Shape())
}

// DiffWRT reports which inputs the op is differentiable with respect to.
func (op *rowOp) DiffWRT(inputs int) []bool {
	if op.differWRT == nil || inputs != len(op.differWRT) {
		return make([]bool, inputs)
	}
	return op.differWRT
}

// SymDiff builds the gradient nodes of the op's inputs.
func (op *rowOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.symDiff == nil {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	return op.symDiff(inputs, output, grad)
}

var _ G.SDOp = (*rowOp)(nil)

// checkMatrix returns an error unless n is a 2-D float32 or float64 node.
func checkMatrix(what string, n *G.Node) error {
	if n == nil {
		return errors.Errorf("%s: nil node", what)
	}
	if n.Dims() != 2 {
		return errors.Errorf("%s needs a 2-D (batch, features) node, got %v with shape %v", what, n.Name(), n.Shape())
	}
	if dt := n.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("%s needs float32 or float64, got %v", what, dt)
	}
	return nil
}

// checkSame returns an error unless a and b have the same shape and type.
func checkSame(what string, a, b *G.Node) error {
	if err := checkMatrix(what, a); err != nil {
		return err
	}
	if err := checkMatrix(what, b); err != nil {
		return err
	}
	if !a.Shape().Eq(b.Shape()) {
		return errors.Errorf("%s: prediction has shape %v but target has shape %v", what, a.Shape(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return errors.Errorf("%s: prediction is %v but target is %v", what, a.Dtype(), b.Dtype())
	}
	return nil
}
