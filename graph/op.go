package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

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
	name      string
	matrices  int  // number of 2-D inputs
	scalarIn  bool // a trailing scalar input follows the matrices
	scalarOut bool // the output is a scalar instead of a matrix
	differWRT []bool
	do64      func(in [][]float64, s float64, rows, cols int, out []float64) (float64, error)
	do32      func(in [][]float32, s float32, rows, cols int, out []float32) (float32, error)
	symDiff   func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)
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
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	ts := make([]hm.Type, 0, op.Arity()+1)
	for i := 0; i < op.matrices; i++ {
		ts = append(ts, m)
	}
	if op.scalarIn {
		ts = append(ts, a)
	}
	if op.scalarOut {
		ts = append(ts, a)
	} else {
		ts = append(ts, m)
	}
	return hm.NewFnType(ts...)
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
	rows, cols := first.Shape()[0], first.Shape()[1]
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
		ins, err := matrices[float64](op, vals, first)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(ins[0]))
		v, err := op.do64(ins, scalar, rows, cols, out)
		if err != nil {
			return nil, errors.Wrap(err, op.name)
		}
		if op.scalarOut {
			return G.NewF64(v), nil
		}
		return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(out)), nil
	case tensor.Float32:
		ins, err := matrices[float32](op, vals, first)
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(ins[0]))
		v, err := op.do32(ins, float32(scalar), rows, cols, out)
		if err != nil {
			return nil, errors.Wrap(err, op.name)
		}
		if op.scalarOut {
			return G.NewF32(v), nil
		}
		return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(out)), nil
	default:
		return nil, errors.Errorf("%s supports float32 and float64, got %v", op.name, first.Dtype())
	}
}

// matrices returns the backing slices of the op's matrix inputs, checking
// that each has the first input's shape and element type.
func matrices[T float32 | float64](op *rowOp, vals []G.Value, first tensor.Tensor) ([][]T, error) {
	ins := make([][]T, op.matrices)
	for i := range ins {
		t, ok := vals[i].(tensor.Tensor)
		if !ok || !t.Shape().Eq(first.Shape()) {
			return nil, errors.Errorf("%s: input %d has shape %v, want %v", op.name, i, vals[i].Shape(), first.Shape())
		}
		d, ok := t.Data().([]T)
		if !ok {
			return nil, errors.Errorf("%s: input %d is %v, want %v like input 0", op.name, i, t.Dtype(), first.Dtype())
		}
		if !t.DataOrder().IsRowMajor() || t.RequiresIterator() {
			return nil, errors.Errorf("%s: input %d is not a contiguous row-major matrix", op.name, i)
		}
		ins[i] = d
	}
	return ins, nil
}

func scalarValue(v G.Value) (float64, error) {
	switch d := v.Data().(type) {
	case float64:
		return d, nil
	case float32:
		return float64(d), nil
	case []float64:
		if len(d) == 1 {
			return d[0], nil
		}
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), nil
		}
	}
	return 0, errors.Errorf("want a float scalar, got %T with shape %v", v, v.Shape())
}

func (op *rowOp) ReturnsPtr() bool     { return false }
func (op *rowOp) CallsExtern() bool    { return false }
func (op *rowOp) OverwritesInput() int { return -1 }
func (op *rowOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "gokeras.%s", op.name)
}
func (op *rowOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *rowOp) String() string { return op.name }

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
