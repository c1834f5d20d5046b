package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxPadded is the most values ZeroPad2D's output may hold.
const maxPadded = 1 << 40

// ZeroPad2D returns x, a channels-last (batch, height, width, channels)
// node, with rows of zeros added above and below each image and columns
// of zeros left and right of it, as Keras's ZeroPadding2D does: pads is
// ((top, bottom), (left, right)), and the result has shape (batch,
// top+height+bottom, left+width+right, channels), with
//
//	y[b, top+i, left+j, c] = x[b, i, j, c]
//
// and zeros elsewhere, in a buffer the node keeps from run to run. The
// gradient is the incoming gradient's inner part, the window x was
// copied to. No padding at all returns x as is.
//
// A nil node, a node that is not 4-D or not float32 or float64, an empty
// axis, a negative pad, or an output too large is an error naming the
// pads and the shape.
func ZeroPad2D(x *G.Node, pads [2][2]int) (*G.Node, error) {
	if err := checkFloatNode("ZeroPad2D input", x, 4, "(batch, height, width, channels)"); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if xs.TotalSize() < 1 {
		return nil, errors.Errorf("ZeroPad2D: input shape %v has an empty axis", xs)
	}
	if pads[0][0] < 0 || pads[0][1] < 0 || pads[1][0] < 0 || pads[1][1] < 0 {
		return nil, errors.Errorf("ZeroPad2D: pads %v on input shape %v: a pad is negative", pads, xs)
	}
	if pads == ([2][2]int{}) {
		return x, nil
	}
	h, w := float64(xs[1])+float64(pads[0][0])+float64(pads[0][1]), float64(xs[2])+float64(pads[1][0])+float64(pads[1][1])
	if float64(xs[0])*h*w*float64(xs[3]) > maxPadded {
		return nil, errors.Errorf("ZeroPad2D: pads %v on input shape %v: the output would hold more than %d values", pads, xs, int64(maxPadded))
	}
	op := &padOp{opInfo: opInfo{fmt.Sprintf("ZeroPad2D(%v)", pads)}, pads: pads}
	y, err := G.ApplyOp(op, x)
	return y, errors.Wrap(err, "ZeroPad2D")
}

// padOp copies its (batch, h, w, c) input into the middle of a zeroed
// (batch, top+h+bottom, left+w+right, c) buffer it owns. With crop set
// it is the gradient instead: it copies the middle of its padded input
// out into an input-sized buffer.
type padOp struct {
	opInfo
	pads [2][2]int
	crop bool
	out  owned
}

func (op *padOp) Arity() int { return 1 }

func (op *padOp) Type() hm.Type { return fnType(4, 4) }

// sizes returns the (height, width) of the input s and of the output
// the op makes of it, or an error unless s fits; it allocates nothing.
func (op *padOp) sizes(s tensor.Shape) (in, out [2]int, err error) {
	if s.Dims() != 4 || s.TotalSize() < 1 {
		return in, out, errors.Errorf("%s needs a non-empty 4-D input, got shape %v", op.name, s)
	}
	p := op.pads
	in = [2]int{s[1], s[2]}
	if !op.crop {
		return in, [2]int{p[0][0] + s[1] + p[0][1], p[1][0] + s[2] + p[1][1]}, nil
	}
	out = [2]int{s[1] - p[0][0] - p[0][1], s[2] - p[1][0] - p[1][1]}
	if out[0] < 1 || out[1] < 1 {
		return in, out, errors.Errorf("%s: input of shape %v is smaller than its pads", op.name, s)
	}
	return in, out, nil
}

func (op *padOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], 4)
	if err != nil {
		return nil, err
	}
	_, out, err := op.sizes(s)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], out[0], out[1], s[3]}, nil
}

func (op *padOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 1 {
		if _, _, err := op.sizes(vals[0].Shape()); err != nil {
			return nil, err
		}
	}
	return dispatch(op, vals, 0, padDo[float32], padDo[float64])
}

// padDo copies each image row between the small tensor (the forward
// op's input, the gradient's output) and its place in the padded one;
// the forward op zeroes the padding first.
func padDo[T float32 | float64](op *padOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	in, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	s := vals[0].Shape()
	inHW, outHW, err := op.sizes(s)
	if err != nil {
		return nil, err
	}
	batch, c := s[0], s[3]
	if o := op.out.t; o == nil || o.Dtype() != dt || !shapeIs(o.Shape(), batch, outHW[0], outHW[1], c) {
		op.out.t = tensor.New(tensor.Of(dt), tensor.WithShape(batch, outHW[0], outHW[1], c))
	}
	y := op.out.t
	out, _ := floats[T](op.name, y)
	small, big := outHW, inHW
	smallV, bigV := out, in
	if !op.crop {
		small, big = inHW, outHW
		smallV, bigV = in, out
	}
	h, w := small[0], small[1]
	bh, bw := big[0], big[1]
	top, left := op.pads[0][0], op.pads[1][0]
	crop := op.crop
	par.For(batch, max(1, elementGrain/(bh*bw*c)), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if !crop {
				clear(bigV[b*bh*bw*c : (b+1)*bh*bw*c])
			}
			for i := 0; i < h; i++ {
				sm := smallV[((b*h+i)*w)*c : ((b*h+i)*w+w)*c]
				at := ((b*bh+top+i)*bw + left) * c
				if crop {
					copy(sm, bigV[at:at+w*c])
				} else {
					copy(bigV[at:at+w*c], sm)
				}
			}
		}
	})
	return y, nil
}

// DiffWRT reports that the padding is differentiable and its gradient is
// not.
func (op *padOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.crop && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns x's gradient: the incoming gradient without the pads.
func (op *padOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.crop {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(inputs))
	}
	gop := &padOp{opInfo: opInfo{fmt.Sprintf("ZeroPad2DGrad(%v)", op.pads)}, pads: op.pads, crop: true}
	dx, err := G.ApplyOp(gop, grad)
	if err != nil {
		return nil, errors.Wrap(err, "ZeroPad2D: input gradient")
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*padOp)(nil)
