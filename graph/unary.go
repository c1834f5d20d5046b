package graph

import (
	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// unary is an element-wise activation whose derivative is a function of
// its output, such as ReLU (1 where y > 0), the sigmoid (y·(1−y)) and
// tanh (1−y²), as kernels
// over slices for each element type: fwd sets y from x, grad sets dx
// from the output y and the incoming gradient g.
type unary struct {
	name   string
	fwd32  func(y, x []float32)
	fwd64  func(y, x []float64)
	grad32 func(dx, y, g []float32)
	grad64 func(dx, y, g []float64)
}

// elementGrain is the fewest elements one goroutine handles in an
// element-wise op: smaller tensors are done on the calling goroutine.
const elementGrain = 1 << 15

// apply builds the activation u on x.
func (u *unary) apply(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, errors.Errorf("%s: nil node", u.name)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("%s needs float32 or float64, got %v", u.name, dt)
	}
	y, err := G.ApplyOp(&unaryOp{opInfo: opInfo{u.name}, u: u}, x)
	return y, errors.Wrap(err, u.name)
}

// unaryOp computes an element-wise activation into a buffer it owns.
// With grad set it is the activation's gradient instead: for inputs
// (y, g), where y is the activation's output, g·dydx(y).
type unaryOp struct {
	opInfo
	u    *unary
	grad bool
	out  owned
}

func (op *unaryOp) Arity() int {
	if op.grad {
		return 2
	}
	return 1
}

func (op *unaryOp) Type() hm.Type {
	if op.grad {
		return fnType(0, 0, 0)
	}
	return fnType(0, 0)
}

func (op *unaryOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(in))
	}
	shape, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s needs a known shape, got %v", op.name, in[0])
	}
	return shape.Clone(), nil
}

func (op *unaryOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 2 && !vals[1].Shape().Eq(vals[0].Shape()) {
		return nil, errors.Errorf("%s: shapes %v and %v differ", op.name, vals[0].Shape(), vals[1].Shape())
	}
	return dispatch(op, vals, 0, unaryDo[float32], unaryDo[float64])
}

func unaryDo[T float32 | float64](op *unaryOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	out := op.out.like(dt, vals[0].Shape())
	o, _ := floats[T](op.name, out)
	var g []T
	if op.grad {
		if g, err = floats[T](op.name, vals[1]); err != nil {
			return nil, err
		}
	}
	u := op.u
	switch x := any(x).(type) {
	case []float32:
		o, g := any(o).([]float32), any(g).([]float32)
		if op.grad {
			par.For(len(x), elementGrain, func(lo, hi int) { u.grad32(o[lo:hi], x[lo:hi], g[lo:hi]) })
		} else {
			par.For(len(x), elementGrain, func(lo, hi int) { u.fwd32(o[lo:hi], x[lo:hi]) })
		}
	case []float64:
		o, g := any(o).([]float64), any(g).([]float64)
		if op.grad {
			par.For(len(x), elementGrain, func(lo, hi int) { u.grad64(o[lo:hi], x[lo:hi], g[lo:hi]) })
		} else {
			par.For(len(x), elementGrain, func(lo, hi int) { u.fwd64(o[lo:hi], x[lo:hi]) })
		}
	}
	return out, nil
}

// DiffWRT reports that the activation is differentiable and its gradient
// is not.
func (op *unaryOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.grad && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns the activation's gradient: the incoming gradient times
// the derivative, computed from the output y.
func (op *unaryOp) SymDiff(_ G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	dx, err := G.ApplyOp(&unaryOp{opInfo: opInfo{op.name + "Grad"}, u: op.u, grad: true}, y, grad)
	return G.Nodes{dx}, err
}

var _ G.SDOp = (*unaryOp)(nil)
