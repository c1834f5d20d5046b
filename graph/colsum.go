package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// colSumOp sums a tensor of rank in over all axes but the last, into a
// buffer it owns: a vector of the last axis's length (dims 1) or a (1,
// cols) matrix (dims 2). The biases' gradients use it: Dense's sums a
// (batch, units) gradient, Conv2D's a (batch, h, w, filters) one. The sum
// is the matrix product 1ᵀ·G of a vector of ones and the rows of G, so it
// runs on the fast GEMM and is the same run after run. It has no gradient
// of its own.
type colSumOp struct {
	opInfo
	in, dims int
	ones     owned
	out      owned
}

func newColSum(in, dims int) *colSumOp {
	return &colSumOp{opInfo: opInfo{fmt.Sprintf("ColumnSum(%d-D to %d-D)", in, dims)}, in: in, dims: dims}
}

func (op *colSumOp) Arity() int { return 1 }

func (op *colSumOp) Type() hm.Type { return fnType(op.in, op.dims) }

func (op *colSumOp) shape(cols int) tensor.Shape {
	if op.dims == 1 {
		return tensor.Shape{cols}
	}
	return tensor.Shape{1, cols}
}

func (op *colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != op.in {
		return nil, errors.Errorf("%s needs a %d-D tensor, got %v", op.name, op.in, in[0])
	}
	return op.shape(s[op.in-1]), nil
}

func (op *colSumOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 || vals[0].Shape().Dims() != op.in {
		return nil, errors.Errorf("%s takes one %d-D tensor", op.name, op.in)
	}
	return dispatch(op, vals, 0, colSumDo[float32], colSumDo[float64])
}

func colSumDo[T float32 | float64](op *colSumOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[0]
	x, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	s := v.Shape()
	cols := s[len(s)-1]
	rows := len(x) / cols
	y := op.out.like(dt, op.shape(cols))
	sum, _ := floats[T](op.name, y)
	if rows == 0 {
		clear(sum)
		return y, nil
	}
	ones := op.ones.matrix(dt, 1, rows)
	o, _ := floats[T](op.name, ones)
	if o[0] != 1 || o[rows-1] != 1 {
		for i := range o {
			o[i] = 1
		}
	}
	matmul(false, false, 1, cols, rows, o, rows, x, cols, 0, sum, cols)
	return y, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *colSumOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *colSumOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*colSumOp)(nil)
