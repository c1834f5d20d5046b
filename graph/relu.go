package graph

import (
	"math"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReLU returns max(x, 0) element-wise, for a node of any shape. NaN stays
// NaN, so a diverging network shows in its loss. The gradient is a masked
// copy of the incoming gradient: kept where the output is positive, zero
// elsewhere, x = 0 included, as in Keras.
func ReLU(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, errors.New("ReLU: nil node")
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("ReLU needs float32 or float64, got %v", dt)
	}
	y, err := G.ApplyOp(&reluOp{opInfo: opInfo{"ReLU"}}, x)
	return y, errors.Wrap(err, "ReLU")
}

// reluOp computes ReLU into a buffer it owns. With grad set it is ReLU's
// gradient instead: for inputs (y, g), where y is the ReLU's output, g
// where y > 0 and 0 elsewhere.
type reluOp struct {
	opInfo
	grad bool
	out  owned
}

func (op *reluOp) Arity() int {
	if op.grad {
		return 2
	}
	return 1
}

func (op *reluOp) Type() hm.Type {
	if op.grad {
		return fnType(0, 0, 0)
	}
	return fnType(0, 0)
}

func (op *reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(in))
	}
	shape, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s needs a known shape, got %v", op.name, in[0])
	}
	return shape.Clone(), nil
}

func (op *reluOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(vals))
	}
	for _, v := range vals[1:] {
		if !v.Shape().Eq(vals[0].Shape()) {
			return nil, errors.Errorf("%s: shapes %v and %v differ", op.name, vals[0].Shape(), v.Shape())
		}
	}
	return dispatch(op, vals, 0, reluDo[float32], reluDo[float64])
}

func reluDo[T float32 | float64](op *reluOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	y := op.out.like(dt, vals[0].Shape())
	ys, _ := floats[T](op.name, y)
	if !op.grad {
		par.For(len(x), elementGrain, func(lo, hi int) {
			for i, v := range x[lo:hi] {
				ys[lo+i] = max(v, 0) // NaN stays NaN; −0 becomes +0
			}
		})
		return y, nil
	}
	g, err := floats[T](op.name, vals[1])
	if err != nil {
		return nil, err
	}
	if y32, ok := any(ys).([]float32); ok {
		x32, g32 := any(x).([]float32), any(g).([]float32)
		par.For(len(x), elementGrain, func(lo, hi int) { maskedCopy(y32[lo:hi], x32[lo:hi], g32[lo:hi]) })
		return y, nil
	}
	for i, v := range x {
		if v > 0 {
			ys[i] = g[i]
		} else {
			ys[i] = 0
		}
	}
	return y, nil
}

// elementGrain is the fewest elements one goroutine handles in an
// element-wise op: smaller tensors are done on the calling goroutine.
const elementGrain = 1 << 15

// maskedCopy sets out[i] to g[i] where y[i] > 0 and to 0 where y[i] is +0,
// for y a ReLU output (never negative, never −0: max(v, 0) gives +0). It
// does so without branches, which a sign that changes at random would
// mispredict half the time: the bits of a positive y, negated as an
// integer, have their sign set; those of +0 do not.
func maskedCopy(out, y, g []float32) {
	g, out = g[:len(y)], out[:len(y)]
	for i, v := range y {
		keep := uint32(-int32(math.Float32bits(v)) >> 31)
		out[i] = math.Float32frombits(math.Float32bits(g[i]) & keep)
	}
}

// DiffWRT reports that ReLU is differentiable and its gradient is not.
func (op *reluOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.grad && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns ReLU's gradient: the incoming gradient masked by y > 0.
func (op *reluOp) SymDiff(_ G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	dx, err := G.ApplyOp(&reluOp{opInfo: opInfo{"ReLUGrad"}, grad: true}, y, grad)
	return G.Nodes{dx}, err
}

var _ G.SDOp = (*reluOp)(nil)
