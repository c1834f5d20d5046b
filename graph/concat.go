package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Concat returns the concatenation of xs along axis, as Keras's
// Concatenate(axis) computes it: nodes of one rank (at least 2, (batch,
// …)) and type, float32 or float64, whose shapes agree on every axis but
// axis, give a node whose size along axis is the sum of theirs, holding
// x₀'s slices first, then x₁'s, and so on. axis counts from 0, the batch
// axis, which cannot be concatenated; a negative axis counts from the end,
// −1 being the last (Keras's default, the channels of channels-last
// data). A single node is returned as is.
//
// The values are copied into a buffer the node keeps from run to run.
// Each input's gradient is its own slice of the incoming gradient, copied
// out by an op of its own.
//
// No node, a nil node, a node of fewer than 2 dimensions or with an empty
// axis, a type other than float32 or float64, types or ranks that differ, an axis out of
// range or naming the batch axis, or shapes that differ on another axis
// is an error naming the axis and the shapes.
func Concat(axis int, xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, errors.Errorf("Concat(axis %d): no inputs", axis)
	}
	for i, x := range xs {
		if err := checkFloatNode(fmt.Sprintf("Concat input %d", i), x, 0, ""); err != nil {
			return nil, err
		}
		if x.Shape().TotalSize() < 1 {
			return nil, errors.Errorf("Concat: input %d of shape %v is empty", i, x.Shape())
		}
	}
	first := xs[0].Shape()
	r := first.Dims()
	if r < 2 {
		return nil, errors.Errorf("Concat needs (batch, …) nodes of at least 2 dimensions, got input 0 of shape %v", first)
	}
	a := axis
	if a < 0 {
		a += r
	}
	if a < 1 || a >= r {
		return nil, errors.Errorf("Concat: axis %d is out of range for %d-D inputs such as %v; the batch axis 0 cannot be concatenated", axis, r, first)
	}
	for i, x := range xs[1:] {
		s := x.Shape()
		if x.Dtype() != xs[0].Dtype() {
			return nil, errors.Errorf("Concat: input %d is %v (shape %v) but input 0 is %v (shape %v)", i+1, x.Dtype(), s, xs[0].Dtype(), first)
		}
		if s.Dims() != r {
			return nil, errors.Errorf("Concat: input %d has shape %v but input 0 has shape %v: the ranks differ", i+1, s, first)
		}
		for d := range r {
			if d != a && s[d] != first[d] {
				return nil, errors.Errorf("Concat along axis %d: input %d has shape %v but input 0 has shape %v: axis %d differs", axis, i+1, s, first, d)
			}
		}
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	op := &concatOp{opInfo: opInfo{fmt.Sprintf("Concat(axis %d, %d inputs)", a, len(xs))}, axis: a, n: len(xs), dims: r}
	y, err := G.ApplyOp(op, xs...)
	return y, errors.Wrap(err, "Concat")
}

// concatOp concatenates its inputs along axis into a buffer it owns.
// Viewed as (outer, size along axis·inner) matrices, where outer is the
// product of the axes before axis and inner of those after it, each row
// of the output is the inputs' rows one after the other.
type concatOp struct {
	opInfo
	axis, n, dims int
	ins           inputSlices
	out           owned
}

func (op *concatOp) Arity() int { return op.n }

func (op *concatOp) Type() hm.Type {
	dims := make([]int, op.n+1)
	for i := range dims {
		dims[i] = op.dims
	}
	return fnType(dims...)
}

// shape returns the output shape for input shapes in, or an error unless
// they have the op's rank and agree on every axis but the op's.
func (op *concatOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in) != op.n {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.n, len(in))
	}
	out := in[0].Clone()
	if out.Dims() != op.dims {
		return nil, errors.Errorf("%s: input 0 has shape %v, want %d dimensions", op.name, out, op.dims)
	}
	for i, s := range in[1:] {
		if s.Dims() != op.dims {
			return nil, errors.Errorf("%s: input %d has shape %v, want %d dimensions", op.name, i+1, s, op.dims)
		}
		for d := range op.dims {
			if d != op.axis && s[d] != out[d] {
				return nil, errors.Errorf("%s: input %d has shape %v but input 0 has shape %v", op.name, i+1, s, in[0])
			}
		}
		out[op.axis] += s[op.axis]
	}
	return out, nil
}

func (op *concatOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, err := knownShape(op.name, d, op.dims)
		if err != nil {
			return nil, err
		}
		shapes[i] = s
	}
	return op.shape(shapes)
}

func (op *concatOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, concatDo[float32], concatDo[float64])
}

func concatDo[T float32 | float64](op *concatOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	list := slicesOf[T](&op.ins)
	defer func() { clear(*list); *list = (*list)[:0] }()
	*list = (*list)[:0]
	s0 := vals[0].Shape()
	if s0.Dims() != op.dims {
		return nil, errors.Errorf("%s: input 0 has shape %v, want %d dimensions", op.name, s0, op.dims)
	}
	width := 0 // the output's size along the axis
	for i, v := range vals {
		s := v.Shape()
		if s.Dims() != op.dims {
			return nil, errors.Errorf("%s: input %d has shape %v, want %d dimensions", op.name, i, s, op.dims)
		}
		for d := range op.dims {
			if d != op.axis && s[d] != s0[d] {
				return nil, errors.Errorf("%s: input %d has shape %v but input 0 has shape %v", op.name, i, s, s0)
			}
		}
		x, err := floats[T](op.name, v)
		if err != nil {
			return nil, errors.Wrapf(err, "input %d", i)
		}
		*list = append(*list, x)
		width += s[op.axis]
	}
	outer := s0[:op.axis].TotalSize()
	inner := 1
	if op.axis+1 < op.dims {
		inner = s0[op.axis+1:].TotalSize()
	}
	out := op.out.t
	if out == nil || out.Dtype() != dt || !concatFits(out.Shape(), s0, op.axis, width) {
		shape := s0.Clone()
		shape[op.axis] = width
		out = op.out.like(dt, shape)
	}
	o, _ := floats[T](op.name, out)
	xs, row := *list, width*inner
	if outer == 0 {
		return out, nil
	}
	par.For(outer, max(1, elementGrain/max(row, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			dst := o[r*row : (r+1)*row]
			for _, x := range xs {
				n := len(x) / outer
				copy(dst[:n], x[r*n:(r+1)*n])
				dst = dst[n:]
			}
		}
	})
	return out, nil
}

// concatFits reports whether out is s with its axis a of size width.
func concatFits(out, s tensor.Shape, a, width int) bool {
	if out.Dims() != s.Dims() {
		return false
	}
	for d := range s {
		if d == a && out[d] != width || d != a && out[d] != s[d] {
			return false
		}
	}
	return true
}

// DiffWRT reports that Concat is differentiable in every input.
func (op *concatOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff returns each input's slice of the incoming gradient.
func (op *concatOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != op.n {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.n, len(inputs))
	}
	grads := make(G.Nodes, op.n)
	at := 0
	for i, x := range inputs {
		xs := x.Shape().Clone()
		gop := &concatGradOp{axis: op.axis, at: at, xshape: xs}
		gop.name = fmt.Sprintf("ConcatGrad(axis %d, from %d, input shape %v)", op.axis, at, xs)
		dx, err := G.ApplyOp(gop, grad)
		if err != nil {
			return nil, errors.Wrapf(err, "Concat: gradient of input %d", i)
		}
		grads[i] = dx
		at += xs[op.axis]
	}
	return grads, nil
}

var _ G.SDOp = (*concatOp)(nil)

// concatGradOp copies one input's slice out of Concat's incoming
// gradient, into a buffer it owns: the part of the gradient that starts
// at index at along axis and has xshape's size there.
type concatGradOp struct {
	opInfo
	axis, at int
	xshape   tensor.Shape
	out      owned
}

func (op *concatGradOp) Arity() int { return 1 }

func (op *concatGradOp) Type() hm.Type { return fnType(op.xshape.Dims(), op.xshape.Dims()) }

// check returns an error unless s, the incoming gradient's shape, holds
// the input's slice.
func (op *concatGradOp) check(s tensor.Shape) error {
	if s.Dims() != op.xshape.Dims() {
		return errors.Errorf("%s: gradient of shape %v", op.name, s)
	}
	for d, n := range op.xshape {
		if d == op.axis && op.at+n > s[d] || d != op.axis && s[d] != n {
			return errors.Errorf("%s: gradient of shape %v", op.name, s)
		}
	}
	return nil
}

func (op *concatGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], op.xshape.Dims())
	if err != nil {
		return nil, err
	}
	if err := op.check(s); err != nil {
		return nil, err
	}
	return op.xshape.Clone(), nil
}

func (op *concatGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 1 {
		if err := op.check(vals[0].Shape()); err != nil {
			return nil, err
		}
	}
	return dispatch(op, vals, 0, concatGradDo[float32], concatGradDo[float64])
}

func concatGradDo[T float32 | float64](op *concatGradOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	g, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	s := vals[0].Shape()
	outer := s[:op.axis].TotalSize()
	inner := len(g) / max(outer*s[op.axis], 1)
	row, n, from := s[op.axis]*inner, op.xshape[op.axis]*inner, op.at*inner
	dx := op.out.like(dt, op.xshape)
	d, _ := floats[T](op.name, dx)
	par.For(outer, max(1, elementGrain/max(n, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			copy(d[r*n:(r+1)*n], g[r*row+from:r*row+from+n])
		}
	})
	return dx, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *concatGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *concatGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*concatGradOp)(nil)
