package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense returns x·w + b: the matrix product of the (batch, in) input x and
// the (in, out) kernel w, with the bias b added to every row. b is a
// vector of length out, or a (1, out) matrix. Mismatched shapes or element
// types are an error naming both shapes.
//
// It is one op: the bias is copied into each output row and the product
// accumulated on top, into an output buffer the node keeps from run to
// run. Its gradient is three ops: wᵀ's gradient xᵀ·g, the bias gradient
// (g summed over the rows), and x's gradient g·wᵀ, which is built only
// when x is computed by other ops. When x is a leaf of the graph (the
// data a network is fed) nothing upstream needs its gradient, so that
// product, as costly as the forward one, is never made; asking
// gorgonia.Grad for the gradient of such a leaf x is an error.
func Dense(x, w, b *G.Node) (*G.Node, error) {
	if err := checkMatrix("Dense input", x); err != nil {
		return nil, err
	}
	if err := checkMatrix("Dense kernel", w); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errors.New("Dense: nil bias")
	}
	in, out := w.Shape()[0], w.Shape()[1]
	if x.Shape()[1] != in {
		return nil, errors.Errorf("Dense: input has %d features (shape %v) but the kernel expects %d (shape %v)", x.Shape()[1], x.Shape(), in, w.Shape())
	}
	if x.Dtype() != w.Dtype() || b.Dtype() != w.Dtype() {
		return nil, errors.Errorf("Dense: input, kernel and bias types differ: %v, %v, %v", x.Dtype(), w.Dtype(), b.Dtype())
	}
	if bs := b.Shape(); !bs.Eq(tensor.Shape{out}) && !bs.Eq(tensor.Shape{1, out}) {
		return nil, errors.Errorf("Dense: bias has shape %v, want (%d) or (1, %d)", bs, out, out)
	}
	op := &denseOp{biasDims: b.Dims(), wantX: x.Op() != nil}
	op.name = fmt.Sprintf("Dense(bias %d-D, input gradient %v)", op.biasDims, op.wantX)
	y, err := G.ApplyOp(op, x, w, b)
	return y, errors.Wrap(err, "Dense")
}

// denseOp computes x·w + b into a buffer it owns.
type denseOp struct {
	opInfo
	biasDims int  // 1 for a (out) bias, 2 for (1, out)
	wantX    bool // x is computed by ops, so its gradient is needed
	out      owned
}

func (op *denseOp) Arity() int { return 3 }

func (op *denseOp) Type() hm.Type { return fnType(2, 2, op.biasDims, 2) }

func (op *denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("Dense takes 3 inputs, got %d", len(in))
	}
	x, ok1 := in[0].(tensor.Shape)
	w, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || x.Dims() != 2 || w.Dims() != 2 {
		return nil, errors.Errorf("Dense needs matrices, got %v and %v", in[0], in[1])
	}
	return tensor.Shape{x[0], w[1]}, nil
}

func (op *denseOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, denseDo[float32], denseDo[float64])
}

func denseDo[T float32 | float64](op *denseOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, err := floats[T]("Dense input", vals[0])
	if err != nil {
		return nil, err
	}
	w, err := floats[T]("Dense kernel", vals[1])
	if err != nil {
		return nil, err
	}
	b, err := floats[T]("Dense bias", vals[2])
	if err != nil {
		return nil, err
	}
	xs, ws := vals[0].Shape(), vals[1].Shape()
	rows, in, out := xs[0], ws[0], ws[1]
	if xs[1] != in || len(b) != out {
		return nil, errors.Errorf("Dense: shapes %v, %v and %v do not fit", xs, ws, vals[2].Shape())
	}
	y := op.out.matrix(dt, rows, out)
	ys, _ := floats[T]("Dense output", y)
	for i := 0; i < rows; i++ {
		copy(ys[i*out:(i+1)*out], b)
	}
	matmul(false, false, rows, out, in, x, in, w, out, 1, ys, out)
	return y, nil
}

// DiffWRT says the kernel and bias are differentiable, and the input only
// when it is not a leaf.
func (op *denseOp) DiffWRT(inputs int) []bool { return []bool{op.wantX, true, true} }

// SymDiff returns the gradients of x (nil for a leaf), w and b.
func (op *denseOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, errors.Errorf("Dense takes 3 inputs, got %d", len(inputs))
	}
	x, w, b := inputs[0], inputs[1], inputs[2]
	dw, err := G.ApplyOp(newMatMul(true, false), x, grad)
	if err != nil {
		return nil, errors.Wrap(err, "Dense: kernel gradient")
	}
	db, err := G.ApplyOp(newColSum(2, b.Dims()), grad)
	if err != nil {
		return nil, errors.Wrap(err, "Dense: bias gradient")
	}
	var dx *G.Node
	if op.wantX {
		if dx, err = G.ApplyOp(newMatMul(false, true), grad, w); err != nil {
			return nil, errors.Wrap(err, "Dense: input gradient")
		}
	}
	return G.Nodes{dx, dw, db}, nil
}

var _ G.SDOp = (*denseOp)(nil)
