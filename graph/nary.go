package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// checkSameTensors returns an error unless xs holds at least two nodes,
// all float32 or float64 tensors (not scalars) of exactly the same shape
// and type. what names the operation in the error.
func checkSameTensors(what string, xs []*G.Node) error {
	if len(xs) < 2 {
		return errors.Errorf("%s needs at least 2 inputs, got %d", what, len(xs))
	}
	for i, x := range xs {
		if err := checkFloatNode(fmt.Sprintf("%s input %d", what, i), x, 0, ""); err != nil {
			return err
		}
		if x.IsScalar() || x.Dims() < 1 {
			return errors.Errorf("%s input %d: needs a tensor, got the scalar node %v", what, i, x.Name())
		}
	}
	first := xs[0]
	for i, x := range xs[1:] {
		if x.Dtype() != first.Dtype() {
			return errors.Errorf("%s: input %d is %v (shape %v) but input 0 is %v (shape %v)", what, i+1, x.Dtype(), x.Shape(), first.Dtype(), first.Shape())
		}
		if !shapeIs(x.Shape(), first.Shape()...) {
			return errors.Errorf("%s: input %d has shape %v but input 0 has shape %v", what, i+1, x.Shape(), first.Shape())
		}
	}
	return nil
}

// naryOp computes the element-wise sum (Add) or product (Multiply, and
// Multiply's gradients) of its inputs, all of one shape, into a buffer it
// owns. The inputs are combined in their order: the sum is
// ((x₀ + x₁) + x₂) + …, the same run after run. With skip ≥ 0 the input
// of that index is left out: Multiply's gradient for input i is the
// product of the incoming gradient (its input 0) and the inputs of the
// forward op but the i-th (its input 1 + i).
type naryOp struct {
	opInfo
	n    int  // the number of inputs
	dims int  // their rank
	mul  bool // product, not sum
	skip int  // the index of an input left out, or −1
	ins  inputSlices
	out  owned
}

func newNary(name string, n, dims int, mul bool, skip int) *naryOp {
	return &naryOp{opInfo: opInfo{name}, n: n, dims: dims, mul: mul, skip: skip}
}

func (op *naryOp) Arity() int { return op.n }

func (op *naryOp) Type() hm.Type {
	dims := make([]int, op.n+1)
	for i := range dims {
		dims[i] = op.dims
	}
	return fnType(dims...)
}

func (op *naryOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.n {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.n, len(in))
	}
	first, err := knownShape(op.name, in[0], op.dims)
	if err != nil {
		return nil, err
	}
	for i, d := range in[1:] {
		s, err := knownShape(op.name, d, op.dims)
		if err != nil {
			return nil, err
		}
		if !shapeIs(s, first...) {
			return nil, errors.Errorf("%s: input %d has shape %v but input 0 has shape %v", op.name, i+1, s, first)
		}
	}
	return first.Clone(), nil
}

func (op *naryOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == op.n {
		first := vals[0].Shape()
		for i, v := range vals[1:] {
			if !shapeIs(v.Shape(), first...) {
				return nil, errors.Errorf("%s: input %d has shape %v but input 0 has shape %v", op.name, i+1, v.Shape(), first)
			}
		}
	}
	return dispatch(op, vals, 0, naryDo[float32], naryDo[float64])
}

func naryDo[T float32 | float64](op *naryOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	list := slicesOf[T](&op.ins)
	defer func() { clear(*list); *list = (*list)[:0] }()
	*list = (*list)[:0]
	for i, v := range vals {
		if i == op.skip {
			continue
		}
		x, err := floats[T](op.name, v)
		if err != nil {
			return nil, errors.Wrapf(err, "input %d", i)
		}
		*list = append(*list, x)
	}
	out := op.out.like(dt, vals[0].Shape())
	o, _ := floats[T](op.name, out)
	xs, mul := *list, op.mul
	par.For(len(o), elementGrain, func(lo, hi int) {
		d := o[lo:hi]
		copy(d, xs[0][lo:hi])
		for _, x := range xs[1:] {
			x = x[lo:hi]
			if mul {
				for i, v := range x {
					d[i] *= v
				}
			} else {
				for i, v := range x {
					d[i] += v
				}
			}
		}
	})
	return out, nil
}

// DiffWRT reports that Add and Multiply are differentiable in every input
// and Multiply's gradient ops in none.
func (op *naryOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if op.skip < 0 {
		for i := range d {
			d[i] = true
		}
	}
	return d
}

// SymDiff returns the inputs' gradients: for a sum the incoming gradient
// itself, once per input; for a product, input i's is the incoming
// gradient times the product of the other inputs (an op per input).
func (op *naryOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.skip >= 0 {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	if len(inputs) != op.n {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.n, len(inputs))
	}
	grads := make(G.Nodes, op.n)
	if !op.mul {
		for i := range grads {
			grads[i] = grad
		}
		return grads, nil
	}
	args := append(G.Nodes{grad}, inputs...)
	for i := range grads {
		gop := newNary(fmt.Sprintf("MultiplyGrad(%d inputs, input %d)", op.n, i), op.n+1, op.dims, true, 1+i)
		dx, err := G.ApplyOp(gop, args...)
		if err != nil {
			return nil, errors.Wrapf(err, "Multiply: gradient of input %d", i)
		}
		grads[i] = dx
	}
	return grads, nil
}

var _ G.SDOp = (*naryOp)(nil)
