package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AvgPool2D returns the mean of each pool[0]×pool[1] window of x, a
// channels-last (batch, height, width, channels) node, taken channel by
// channel, with the windows moved by strides: a (batch, out height, out
// width, channels) node, as Keras's AveragePooling2D computes it (Keras's
// default strides are the pool size; pass them). Under Same a window's
// mean is over the input elements it covers only, the padding not
// counted, as in TensorFlow: a corner window of a 2×2 pool may average a
// single element. Each window's elements are summed in row-major window
// order and the sum divided by their count.
//
// The gradient spreads each output's incoming gradient equally over the
// elements its window averaged: each gets g/count (summed where windows
// overlap).
//
// A nil node, a node that is not 4-D or not float32 or float64, a pool
// size or stride below 1, an unknown padding, or a pool larger than the
// input under Valid is an error naming what was wrong and the shapes.
func AvgPool2D(x *G.Node, pool, strides [2]int, padding Padding) (*G.Node, error) {
	if err := checkFloatNode("AvgPool2D input", x, 4, "(batch, height, width, channels)"); err != nil {
		return nil, err
	}
	if pool[0] < 1 || pool[1] < 1 {
		return nil, errors.Errorf("AvgPool2D: pool size must be at least 1, got %v (input shape %v)", pool, x.Shape())
	}
	if strides[0] < 1 || strides[1] < 1 {
		return nil, errors.Errorf("AvgPool2D: strides must be at least 1, got %v (input shape %v)", strides, x.Shape())
	}
	if _, err := newWindow(x.Shape(), pool[0], pool[1], strides[0], strides[1], padding); err != nil {
		return nil, errors.Wrapf(err, "AvgPool2D with pool %v, strides %v, padding %v", pool, strides, padding)
	}
	op := &avgPool2DOp{pool: pool, strides: strides, padding: padding}
	op.name = fmt.Sprintf("AvgPool2D(pool %d×%d, strides %d×%d, padding %v)", pool[0], pool[1], strides[0], strides[1], padding)
	y, err := G.ApplyOp(op, x)
	return y, errors.Wrap(err, "AvgPool2D")
}

// avgPool2DOp computes AvgPool2D into a buffer it owns. With grad set it
// is AvgPool2D's input gradient instead: its one input is the incoming
// gradient, its output is shaped like the forward op's input xshape.
type avgPool2DOp struct {
	opInfo
	pool, strides [2]int
	padding       Padding
	grad          bool
	xshape        tensor.Shape // grad only
	out           owned
}

func (op *avgPool2DOp) Arity() int { return 1 }

func (op *avgPool2DOp) Type() hm.Type { return fnType(4, 4) }

func (op *avgPool2DOp) window(xs tensor.Shape) (window, error) {
	g, err := newWindow(xs, op.pool[0], op.pool[1], op.strides[0], op.strides[1], op.padding)
	return g, errors.Wrap(err, op.name)
}

// geometry returns the window geometry for the op's input of shape s: x's
// shape for the forward op, the gradient's for the gradient op, which
// must be the output shape for xshape.
func (op *avgPool2DOp) geometry(s tensor.Shape) (window, error) {
	if !op.grad {
		return op.window(s)
	}
	g, err := op.window(op.xshape)
	if err != nil {
		return window{}, err
	}
	if !shapeIs(s, g.batch, g.oh, g.ow, g.c) {
		return window{}, errors.Errorf("%s: gradient of shape %v, want (%d, %d, %d, %d)", op.name, s, g.batch, g.oh, g.ow, g.c)
	}
	return g, nil
}

func (op *avgPool2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], 4)
	if err != nil {
		return nil, err
	}
	g, err := op.geometry(s)
	if err != nil {
		return nil, err
	}
	if op.grad {
		return op.xshape.Clone(), nil
	}
	return tensor.Shape{g.batch, g.oh, g.ow, g.c}, nil
}

func (op *avgPool2DOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, avgPool2DDo[float32], avgPool2DDo[float64])
}

func avgPool2DDo[T float32 | float64](op *avgPool2DOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[0]
	in, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	g, err := op.geometry(v.Shape())
	if err != nil {
		return nil, err
	}
	if op.grad {
		dx := op.out.like(dt, op.xshape)
		d, _ := floats[T](op.name, dx)
		par.For(g.batch, 1, func(lo, hi int) { avgPoolGradSamples(&g, in, d, lo, hi) })
		return dx, nil
	}
	y := op.out.like(dt, tensor.Shape{g.batch, g.oh, g.ow, g.c})
	ys, _ := floats[T](op.name, y)
	par.For(g.batch, 1, func(lo, hi int) { avgPoolSamples(&g, in, ys, lo, hi) })
	return y, nil
}

// rowSpan returns the rows ky0 ≤ ky < ky1 of the window whose input row
// y0 + ky lies inside the input, for a window whose first row is at y0.
func (g *window) rowSpan(y0 int) (ky0, ky1 int) {
	return max(0, -y0), min(g.kh, g.h-y0)
}

// avgPoolSamples pools samples [lo, hi) of x into ys.
func avgPoolSamples[T float32 | float64](g *window, x, ys []T, lo, hi int) {
	c := g.c
	o := lo * g.oh * g.ow * c
	for b := lo; b < hi; b++ {
		for oy := 0; oy < g.oh; oy++ {
			y0 := oy*g.sh - g.padT
			ky0, ky1 := g.rowSpan(y0)
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.padL
				kx0, kx1 := g.span(x0)
				sum := ys[o : o+c]
				o += c
				clear(sum)
				for ky := ky0; ky < ky1; ky++ {
					base := ((b*g.h+y0+ky)*g.w + x0) * c
					for kx := kx0; kx < kx1; kx++ {
						src := x[base+kx*c : base+(kx+1)*c]
						for ch, v := range src {
							sum[ch] += v
						}
					}
				}
				n := T((ky1 - ky0) * (kx1 - kx0))
				for ch := range sum {
					sum[ch] /= n
				}
			}
		}
	}
}

// avgPoolGradSamples sets samples [lo, hi) of dx from the incoming
// gradient dy: each output's gradient divided by its window's count,
// added to every element of the window. A sample's windows lie in that
// sample, and are visited in order.
func avgPoolGradSamples[T float32 | float64](g *window, dy, dx []T, lo, hi int) {
	c := g.c
	size := g.h * g.w * c
	clear(dx[lo*size : hi*size])
	o := lo * g.oh * g.ow * c
	for b := lo; b < hi; b++ {
		for oy := 0; oy < g.oh; oy++ {
			y0 := oy*g.sh - g.padT
			ky0, ky1 := g.rowSpan(y0)
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.padL
				kx0, kx1 := g.span(x0)
				src := dy[o : o+c]
				o += c
				inv := 1 / T((ky1-ky0)*(kx1-kx0))
				for ky := ky0; ky < ky1; ky++ {
					base := ((b*g.h+y0+ky)*g.w + x0) * c
					for kx := kx0; kx < kx1; kx++ {
						dst := dx[base+kx*c : base+(kx+1)*c]
						for ch, v := range src {
							dst[ch] += v * inv
						}
					}
				}
			}
		}
	}
}

// DiffWRT reports that AvgPool2D is differentiable and its gradient is
// not.
func (op *avgPool2DOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if !op.grad && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns x's gradient: each output's incoming gradient spread
// equally over its window's input elements.
func (op *avgPool2DOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if op.grad {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	if len(inputs) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(inputs))
	}
	xs := inputs[0].Shape().Clone()
	gop := &avgPool2DOp{pool: op.pool, strides: op.strides, padding: op.padding, grad: true, xshape: xs}
	gop.name = fmt.Sprintf("AvgPool2DGrad(input %v, pool %d×%d, strides %d×%d, padding %v)",
		xs, op.pool[0], op.pool[1], op.strides[0], op.strides[1], op.padding)
	dx, err := G.ApplyOp(gop, grad)
	if err != nil {
		return nil, errors.Wrap(err, "AvgPool2D: input gradient")
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*avgPool2DOp)(nil)
