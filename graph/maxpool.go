package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2D returns the maximum of each pool[0]×pool[1] window of x, a
// channels-last (batch, height, width, channels) node, taken channel by
// channel, with the windows moved by strides: a (batch, out height, out
// width, channels) node, as Keras's MaxPooling2D computes it (Keras's
// default strides are the pool size; pass them). Under Same the padding
// is −∞, so it never wins: every window holds at least one input element.
// A NaN in a window is its maximum (the first NaN, in row-major window
// order), so a diverging network shows in its loss.
//
// The gradient routes each output's incoming gradient to the element that
// won: the first maximum of its window in row-major window order (ties go
// to the earliest). The op keeps the index of that element for every
// output (int32) for its gradient op; x therefore holds at most 2³¹−1
// elements.
//
// A nil node, a node that is not 4-D or not float32 or float64, a pool
// size or stride below 1, an unknown padding, or a pool larger than the
// input under Valid is an error naming what was wrong and the shapes.
func MaxPool2D(x *G.Node, pool, strides [2]int, padding Padding) (*G.Node, error) {
	if err := checkFloatNode("MaxPool2D input", x, 4, "(batch, height, width, channels)"); err != nil {
		return nil, err
	}
	if pool[0] < 1 || pool[1] < 1 {
		return nil, errors.Errorf("MaxPool2D: pool size must be at least 1, got %v (input shape %v)", pool, x.Shape())
	}
	if strides[0] < 1 || strides[1] < 1 {
		return nil, errors.Errorf("MaxPool2D: strides must be at least 1, got %v (input shape %v)", strides, x.Shape())
	}
	if _, err := newWindow(x.Shape(), pool[0], pool[1], strides[0], strides[1], padding); err != nil {
		return nil, errors.Wrapf(err, "MaxPool2D with pool %v, strides %v, padding %v", pool, strides, padding)
	}
	op := &maxPool2DOp{pool: pool, strides: strides, padding: padding}
	op.name = fmt.Sprintf("MaxPool2D(pool %d×%d, strides %d×%d, padding %v)", pool[0], pool[1], strides[0], strides[1], padding)
	y, err := G.ApplyOp(op, x)
	return y, errors.Wrap(err, "MaxPool2D")
}

// maxPool2DOp computes MaxPool2D into a buffer it owns, and the flat index
// into x of each output's maximum into arg, which its gradient op reads.
type maxPool2DOp struct {
	opInfo
	pool, strides [2]int
	padding       Padding
	out           owned
	arg           []int32 // per output element: the index of its maximum in x
	inSize        int     // the number of elements of the x arg indexes
}

func (op *maxPool2DOp) Arity() int { return 1 }

func (op *maxPool2DOp) Type() hm.Type { return fnType(4, 4) }

func (op *maxPool2DOp) window(xs tensor.Shape) (window, error) {
	g, err := newWindow(xs, op.pool[0], op.pool[1], op.strides[0], op.strides[1], op.padding)
	return g, errors.Wrap(err, op.name)
}

func (op *maxPool2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	xs, err := knownShape(op.name, in[0], 4)
	if err != nil {
		return nil, err
	}
	g, err := op.window(xs)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.batch, g.oh, g.ow, g.c}, nil
}

func (op *maxPool2DOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, maxPool2DDo[float32], maxPool2DDo[float64])
}

func maxPool2DDo[T float32 | float64](op *maxPool2DOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[0]
	x, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	g, err := op.window(v.Shape())
	if err != nil {
		return nil, err
	}
	y := op.out.like(dt, tensor.Shape{g.batch, g.oh, g.ow, g.c})
	ys, _ := floats[T](op.name, y)
	if len(op.arg) != len(ys) {
		op.arg = make([]int32, len(ys))
	}
	op.inSize = len(x)
	par.For(g.batch, 1, func(lo, hi int) { maxPoolSamples(op, &g, x, ys, lo, hi) })
	return y, nil
}

// maxPoolSamples pools samples [lo, hi) of x into ys, noting each
// maximum's index in op.arg.
func maxPoolSamples[T float32 | float64](op *maxPool2DOp, g *window, x, ys []T, lo, hi int) {
	c := g.c
	o := lo * g.oh * g.ow * c
	for b := lo; b < hi; b++ {
		for oy := 0; oy < g.oh; oy++ {
			y0 := oy*g.sh - g.padT
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.padL
				kx0, kx1 := g.span(x0)
				best, arg := ys[o:o+c], op.arg[o:o+c]
				o += c
				first := true
				for ky := 0; ky < g.kh; ky++ {
					iy := y0 + ky
					if iy < 0 || iy >= g.h {
						continue
					}
					for kx := kx0; kx < kx1; kx++ {
						base := ((b*g.h+iy)*g.w + x0 + kx) * c
						src := x[base : base+c]
						if first {
							first = false
							copy(best, src)
							for ch := range arg {
								arg[ch] = int32(base + ch)
							}
							continue
						}
						for ch, xv := range src {
							// Strictly greater keeps the first maximum; a
							// NaN wins over a number, never over a NaN.
							if xv > best[ch] || (xv != xv && best[ch] == best[ch]) {
								best[ch] = xv
								arg[ch] = int32(base + ch)
							}
						}
					}
				}
			}
		}
	}
}

// DiffWRT reports that MaxPool2D is differentiable.
func (op *maxPool2DOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns x's gradient: the incoming gradient routed to each
// window's maximum.
func (op *maxPool2DOp) SymDiff(inputs G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(inputs))
	}
	xs := inputs[0].Shape().Clone()
	gop := &maxPool2DGradOp{fwd: op, xshape: xs}
	gop.name = fmt.Sprintf("MaxPool2DGrad(input %v, pool %d×%d, strides %d×%d, padding %v)",
		xs, op.pool[0], op.pool[1], op.strides[0], op.strides[1], op.padding)
	dx, err := G.ApplyOp(gop, y, grad)
	if err != nil {
		return nil, errors.Wrap(err, "MaxPool2D: input gradient")
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*maxPool2DOp)(nil)

// maxPool2DGradOp computes MaxPool2D's input gradient into a buffer it
// owns: zero everywhere but at each window's maximum, which receives the
// incoming gradient of its output (summed where windows overlap and share
// a maximum). Its inputs are the forward op's output y and the incoming
// gradient; it reads the maximums' indexes the forward op fwd kept, and
// having y as an input puts it after the forward op in every run.
type maxPool2DGradOp struct {
	opInfo
	fwd    *maxPool2DOp
	xshape tensor.Shape
	out    owned
}

func (op *maxPool2DGradOp) Arity() int { return 2 }

func (op *maxPool2DGradOp) Type() hm.Type { return fnType(4, 4, 4) }

func (op *maxPool2DGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s takes 2 inputs, got %d", op.name, len(in))
	}
	return op.xshape.Clone(), nil
}

func (op *maxPool2DGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 1, maxPool2DGradDo[float32], maxPool2DGradDo[float64])
}

func maxPool2DGradDo[T float32 | float64](op *maxPool2DGradOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[1]
	dy, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	dx := op.out.like(dt, op.xshape)
	dxs, _ := floats[T](op.name, dx)
	if len(op.fwd.arg) != len(dy) || op.fwd.inSize != len(dxs) {
		return nil, errors.Errorf("%s: the forward MaxPool2D's last run (%d outputs of %d inputs) does not match the gradient's shape %v",
			op.name, len(op.fwd.arg), op.fwd.inSize, v.Shape())
	}
	// The maxima of a sample lie in that sample: samples are independent.
	batch := op.xshape[0]
	in, out := len(dxs)/batch, len(dy)/batch
	par.For(batch, 1, func(lo, hi int) {
		clear(dxs[lo*in : hi*in])
		for i := lo * out; i < hi*out; i++ {
			dxs[op.fwd.arg[i]] += dy[i]
		}
	})
	return dx, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *maxPool2DGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *maxPool2DGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*maxPool2DGradOp)(nil)
