package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// matMulOp computes op(a)·op(b) into a buffer it owns, where op is a
// transpose for the operands so marked; the transposes are never made, the
// matrix product reads the operands as they are stored. Dense's gradient
// uses it for xᵀ·g and g·wᵀ. It has no gradient of its own.
type matMulOp struct {
	opInfo
	transA, transB bool
	out            owned
}

func newMatMul(transA, transB bool) *matMulOp {
	return &matMulOp{opInfo: opInfo{fmt.Sprintf("MatMul(transA %v, transB %v)", transA, transB)}, transA: transA, transB: transB}
}

func (op *matMulOp) Arity() int { return 2 }

func (op *matMulOp) Type() hm.Type { return fnType(2, 2, 2) }

// dims returns op(a)'s rows m and columns k and op(b)'s columns n, or an
// error unless the shapes fit.
func (op *matMulOp) dims(a, b tensor.Shape) (m, n, k int, err error) {
	if a.Dims() != 2 || b.Dims() != 2 {
		return 0, 0, 0, errors.Errorf("%s needs matrices, got shapes %v and %v", op.name, a, b)
	}
	m, k = a[0], a[1]
	if op.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if op.transB {
		kb, n = n, kb
	}
	if k != kb {
		return 0, 0, 0, errors.Errorf("%s: shapes %v and %v do not fit", op.name, a, b)
	}
	return m, n, k, nil
}

func (op *matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s takes 2 inputs, got %d", op.name, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, errors.Errorf("%s needs known shapes, got %v and %v", op.name, in[0], in[1])
	}
	m, n, _, err := op.dims(a, b)
	return tensor.Shape{m, n}, err
}

func (op *matMulOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, matMulDo[float32], matMulDo[float64])
}

func matMulDo[T float32 | float64](op *matMulOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	av, bv := vals[0], vals[1]
	m, n, k, err := op.dims(av.Shape(), bv.Shape())
	if err != nil {
		return nil, err
	}
	a, err := floats[T](op.name, av)
	if err != nil {
		return nil, err
	}
	b, err := floats[T](op.name, bv)
	if err != nil {
		return nil, err
	}
	c := op.out.matrix(dt, m, n)
	cs, _ := floats[T](op.name, c)
	if k == 0 {
		clear(cs)
		return c, nil
	}
	matmul(op.transA, op.transB, m, n, k, a, av.Shape()[1], b, bv.Shape()[1], 0, cs, n)
	return c, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *matMulOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *matMulOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*matMulOp)(nil)

// matmul computes c ← op(a)·op(b) + beta·c for row-major matrices (op is a
// transpose when ta or tb is set; op(a) is m×k, op(b) is k×n), with the
// BLAS Gorgonia uses.
func matmul[T float32 | float64](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if ta {
		tA = blas.Trans
	}
	if tb {
		tB = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		G.WhichBLAS().Dgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
