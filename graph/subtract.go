package graph

import (
	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Subtract returns the element-wise difference x₀ − x₁ of two nodes of
// exactly the same shape (any rank) and type, float32 or float64, as
// Keras's Subtract layer computes it (without broadcasting), into a
// buffer the node keeps from run to run. x₀'s gradient is the incoming
// gradient itself, x₁'s its negation (an op of its own). Subtract(x, x)
// gives x the gradient g − g = 0.
//
// Unlike Gorgonia's Sub, it never writes into an input: Gorgonia may run
// Sub in place in its first input's memory, which a view (Flatten,
// Reshape) shares with the node it views.
//
// A nil node, a scalar, a type other than float32 or float64, or inputs
// whose shapes or types differ is an error naming the input and the
// shapes.
func Subtract(x0, x1 *G.Node) (*G.Node, error) {
	if err := checkSameTensors("Subtract", []*G.Node{x0, x1}); err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(&subtractOp{opInfo: opInfo{"Subtract"}, dims: x0.Dims()}, x0, x1)
	return y, errors.Wrap(err, "Subtract")
}

// subtractOp computes x₀ − x₁ into a buffer it owns; with neg set it is
// x₁'s gradient instead: the negation of its one input.
type subtractOp struct {
	opInfo
	dims int // the inputs' rank
	neg  bool
	out  owned
}

func (op *subtractOp) Arity() int {
	if op.neg {
		return 1
	}
	return 2
}

func (op *subtractOp) Type() hm.Type {
	if op.neg {
		return fnType(op.dims, op.dims)
	}
	return fnType(op.dims, op.dims, op.dims)
}

func (op *subtractOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(in))
	}
	first, err := knownShape(op.name, in[0], op.dims)
	if err != nil {
		return nil, err
	}
	if !op.neg {
		s, err := knownShape(op.name, in[1], op.dims)
		if err != nil {
			return nil, err
		}
		if !shapeIs(s, first...) {
			return nil, errors.Errorf("%s: input 1 has shape %v but input 0 has shape %v", op.name, s, first)
		}
	}
	return first.Clone(), nil
}

func (op *subtractOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 2 && !shapeIs(vals[1].Shape(), vals[0].Shape()...) {
		return nil, errors.Errorf("%s: input 1 has shape %v but input 0 has shape %v", op.name, vals[1].Shape(), vals[0].Shape())
	}
	return dispatch(op, vals, 0, subtractDo[float32], subtractDo[float64])
}

func subtractDo[T float32 | float64](op *subtractOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x0, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, errors.Wrap(err, "input 0")
	}
	var x1 []T
	if !op.neg {
		if x1, err = floats[T](op.name, vals[1]); err != nil {
			return nil, errors.Wrap(err, "input 1")
		}
	}
	out := op.out.like(dt, vals[0].Shape())
	o, _ := floats[T](op.name, out)
	neg := op.neg
	par.For(len(o), elementGrain, func(lo, hi int) {
		d, a := o[lo:hi], x0[lo:hi]
		if neg {
			for i, v := range a {
				d[i] = -v
			}
			return
		}
		b := x1[lo:hi]
		for i, v := range a {
			d[i] = v - b[i]
		}
	})
	return out, nil
}

// DiffWRT reports that Subtract is differentiable in both inputs and its
// gradient op in none.
func (op *subtractOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.neg {
		for i := range d {
			d[i] = true
		}
	}
	return d
}

// SymDiff returns the incoming gradient for x₀ and its negation for x₁.
func (op *subtractOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.neg {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	if len(inputs) != 2 {
		return nil, errors.Errorf("%s takes 2 inputs, got %d", op.name, len(inputs))
	}
	dx1, err := G.ApplyOp(&subtractOp{opInfo: opInfo{"SubtractGrad"}, dims: op.dims, neg: true}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "Subtract: gradient of input 1")
	}
	return G.Nodes{grad, dx1}, nil
}

var _ G.SDOp = (*subtractOp)(nil)
