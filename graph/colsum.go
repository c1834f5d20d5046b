package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// colSumOp sums a (rows, cols) matrix over its rows, into a buffer it
// owns: a vector of cols (dims 1) or a (1, cols) matrix (dims 2). Dense's
// bias gradient uses it. Rows are added in order, so the result is the
// same run after run. It has no gradient of its own.
type colSumOp struct {
	opInfo
	dims int
	out  owned
}

func newColSum(dims int) *colSumOp {
	return &colSumOp{opInfo: opInfo{fmt.Sprintf("ColumnSum(%d-D)", dims)}, dims: dims}
}

func (op *colSumOp) Arity() int { return 1 }

func (op *colSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: op.dims, Of: a})
}

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
	if !ok || s.Dims() != 2 {
		return nil, errors.Errorf("%s needs a matrix, got %v", op.name, in[0])
	}
	return op.shape(s[1]), nil
}

func (op *colSumOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 || vals[0].Shape().Dims() != 2 {
		return nil, errors.Errorf("%s takes one matrix", op.name)
	}
	dt, err := dtypeOf(op.name, vals[0])
	if err != nil {
		return nil, err
	}
	if dt == tensor.Float32 {
		return colSumDo[float32](op, dt, vals[0])
	}
	return colSumDo[float64](op, dt, vals[0])
}

func colSumDo[T float32 | float64](op *colSumOp, dt tensor.Dtype, v G.Value) (G.Value, error) {
	x, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	cols := v.Shape()[1]
	y := op.out.like(dt, op.shape(cols))
	s, _ := floats[T](op.name, y)
	clear(s)
	for lo := 0; lo < len(x); lo += cols {
		for j, xv := range x[lo : lo+cols] {
			s[j] += xv
		}
	}
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
