package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlobalAvgPool2D returns the mean of x, a channels-last (batch, height,
// width, channels) node, over its height and width: a (batch, channels)
// node, as Keras's GlobalAveragePooling2D computes it,
//
//	y[b, c] = (1/(h·w)) · Σᵢⱼ x[b, i, j, c].
//
// Each sum is accumulated in float64 in row-major order, then divided and
// rounded to x's type once. The gradient gives every element of a
// sample's channel c that channel's incoming gradient divided by h·w.
//
// A nil node, a node that is not 4-D or not float32 or float64, or an
// empty axis is an error naming the shape.
func GlobalAvgPool2D(x *G.Node) (*G.Node, error) {
	if err := checkFloatNode("GlobalAvgPool2D input", x, 4, "(batch, height, width, channels)"); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if xs.TotalSize() < 1 {
		return nil, errors.Errorf("GlobalAvgPool2D: input shape %v has an empty axis", xs)
	}
	op := &globalAvgPool2DOp{opInfo: opInfo{"GlobalAvgPool2D"}}
	y, err := G.ApplyOp(op, x)
	return y, errors.Wrap(err, "GlobalAvgPool2D")
}

// globalAvgPool2DOp computes GlobalAvgPool2D into a buffer it owns,
// summing in sums, float64 values it keeps. With grad set it is the
// gradient instead: its one input is the (batch, channels) incoming
// gradient, its output shaped like the forward op's input xshape.
type globalAvgPool2DOp struct {
	opInfo
	grad   bool
	xshape tensor.Shape // grad only
	sums   []float64    // forward only: the last run's sums, (batch, channels)
	out    owned
}

func (op *globalAvgPool2DOp) Arity() int { return 1 }

func (op *globalAvgPool2DOp) Type() hm.Type {
	if op.grad {
		return fnType(2, 4)
	}
	return fnType(4, 2)
}

// check returns an error unless s fits as the op's input.
func (op *globalAvgPool2DOp) check(s tensor.Shape) error {
	if !op.grad {
		if s.Dims() != 4 || s.TotalSize() < 1 {
			return errors.Errorf("%s needs a non-empty 4-D input, got shape %v", op.name, s)
		}
		return nil
	}
	if !shapeIs(s, op.xshape[0], op.xshape[3]) {
		return errors.Errorf("%s: gradient of shape %v, want (%d, %d) for input shape %v", op.name, s, op.xshape[0], op.xshape[3], op.xshape)
	}
	return nil
}

func (op *globalAvgPool2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	dims := 4
	if op.grad {
		dims = 2
	}
	s, err := knownShape(op.name, in[0], dims)
	if err != nil {
		return nil, err
	}
	if err := op.check(s); err != nil {
		return nil, err
	}
	if op.grad {
		return op.xshape.Clone(), nil
	}
	return tensor.Shape{s[0], s[3]}, nil
}

func (op *globalAvgPool2DOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 1 {
		if err := op.check(vals[0].Shape()); err != nil {
			return nil, err
		}
	}
	return dispatch(op, vals, 0, globalAvgPool2DDo[float32], globalAvgPool2DDo[float64])
}

func globalAvgPool2DDo[T float32 | float64](op *globalAvgPool2DOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	in, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	if op.grad {
		s := op.xshape
		batch, hw, c := s[0], s[1]*s[2], s[3]
		dx := op.out.like(dt, s)
		d, _ := floats[T](op.name, dx)
		par.For(batch, max(1, elementGrain/(hw*c)), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				row, sample := d[b*hw*c:b*hw*c+c], d[b*hw*c:(b+1)*hw*c]
				for ch, v := range in[b*c : (b+1)*c] {
					row[ch] = v / T(hw)
				}
				for i := c; i < len(sample); i += c {
					copy(sample[i:i+c], row)
				}
			}
		})
		return dx, nil
	}
	s := vals[0].Shape()
	batch, hw, c := s[0], s[1]*s[2], s[3]
	y := op.out.matrix(dt, batch, c)
	ys, _ := floats[T](op.name, y)
	if len(op.sums) != batch*c {
		op.sums = make([]float64, batch*c)
	}
	sums := op.sums
	par.For(batch, max(1, elementGrain/(hw*c)), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			sum := sums[b*c : (b+1)*c]
			clear(sum)
			sample := in[b*hw*c : (b+1)*hw*c]
			for i := 0; i < len(sample); i += c {
				for ch, v := range sample[i : i+c] {
					sum[ch] += float64(v)
				}
			}
			for ch, v := range sum {
				ys[b*c+ch] = T(v / float64(hw))
			}
		}
	})
	return y, nil
}

// DiffWRT reports that GlobalAvgPool2D is differentiable and its gradient
// is not.
func (op *globalAvgPool2DOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.grad && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns x's gradient: each channel's incoming gradient divided
// by h·w, at every position of its sample.
func (op *globalAvgPool2DOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(inputs))
	}
	xs := inputs[0].Shape().Clone()
	gop := &globalAvgPool2DOp{opInfo: opInfo{fmt.Sprintf("GlobalAvgPool2DGrad(input %v)", xs)}, grad: true, xshape: xs}
	dx, err := G.ApplyOp(gop, grad)
	if err != nil {
		return nil, errors.Wrap(err, "GlobalAvgPool2D: input gradient")
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*globalAvgPool2DOp)(nil)
