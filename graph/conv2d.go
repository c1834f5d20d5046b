package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D returns the 2-D convolution of x, a channels-last (batch, height,
// width, channels) node, with kernel, a (kernel height, kernel width,
// channels, filters) node, plus bias, a vector of one value per filter:
// a (batch, out height, out width, filters) node, as Keras's Conv2D
// computes it. Like Keras and TensorFlow it is a cross-correlation (the
// kernel is not flipped):
//
//	y[b, i, j, f] = bias[f] + Σ kernel[ky, kx, c, f] · x[b, i·sh − top + ky, j·sw − left + kx, c]
//
// where x is zero outside the input, strides is {sh, sw} and the padding
// (top, left) is 0 under Valid and TensorFlow's split under Same (see
// Padding and ConvOutput for the output size).
//
// A nil node, a node of the wrong rank or of a type other than float32 or
// float64, types that differ, a kernel whose channel count is not x's, a
// bias that is not a vector of one value per filter, a stride below 1, an
// unknown padding, or a kernel larger than the input under Valid is an
// error naming what was wrong and the shapes.
//
// It is one op: each window of x is copied into a row of an im2col matrix
// of shape (batch·oh·ow, kh·kw·c), which the op keeps (a 1×1 kernel with
// stride 1 needs none: x is that matrix already); the output, viewed as a
// (batch·oh·ow, filters) matrix, is the bias copied into every row plus
// that matrix times the kernel viewed as a (kh·kw·c, filters) matrix, one
// matrix product into a buffer the node keeps from run to run. Its
// gradient is three ops: the kernel gradient colsᵀ·g, which reads the
// forward op's im2col matrix instead of rebuilding it; the bias gradient,
// g summed over all positions; and x's gradient, g·kernelᵀ scattered back
// onto the input's positions (col2im), built only when x is computed by
// other ops. A leaf x is data, whose gradient nothing needs; asking
// gorgonia.Grad for it is then an error.
func Conv2D(x, kernel, bias *G.Node, strides [2]int, padding Padding) (*G.Node, error) {
	if err := checkFloatNode("Conv2D input", x, 4, "(batch, height, width, channels)"); err != nil {
		return nil, err
	}
	if err := checkFloatNode("Conv2D kernel", kernel, 4, "(height, width, channels, filters)"); err != nil {
		return nil, err
	}
	if err := checkFloatNode("Conv2D bias", bias, 0, ""); err != nil {
		return nil, err
	}
	xs, ks := x.Shape(), kernel.Shape()
	if x.Dtype() != kernel.Dtype() || bias.Dtype() != kernel.Dtype() {
		return nil, errors.Errorf("Conv2D: input, kernel and bias types differ: %v, %v, %v", x.Dtype(), kernel.Dtype(), bias.Dtype())
	}
	if ks[2] != xs[3] {
		return nil, errors.Errorf("Conv2D: input has %d channels (shape %v) but the kernel expects %d (shape %v)", xs[3], xs, ks[2], ks)
	}
	if !shapeIs(bias.Shape(), ks[3]) {
		return nil, errors.Errorf("Conv2D: bias has shape %v, want (%d), one value per filter of the kernel %v", bias.Shape(), ks[3], ks)
	}
	if strides[0] < 1 || strides[1] < 1 {
		return nil, errors.Errorf("Conv2D: strides must be at least 1, got %v", strides)
	}
	if _, err := newWindow(xs, ks[0], ks[1], strides[0], strides[1], padding); err != nil {
		return nil, errors.Wrapf(err, "Conv2D with kernel %v, strides %v, padding %v", ks, strides, padding)
	}
	op := &conv2DOp{
		strides: strides,
		padding: padding,
		wantX:   x.Op() != nil,
		direct:  ks[0] == 1 && ks[1] == 1 && strides == [2]int{1, 1},
	}
	op.name = fmt.Sprintf("Conv2D(strides %d×%d, padding %v, input gradient %v)", strides[0], strides[1], padding, op.wantX)
	y, err := G.ApplyOp(op, x, kernel, bias)
	return y, errors.Wrap(err, "Conv2D")
}

// conv2DOp computes Conv2D into a buffer it owns, by im2col and one matrix
// product. The im2col matrix stays in cols after the run, for the kernel
// gradient.
type conv2DOp struct {
	opInfo
	strides [2]int
	padding Padding
	wantX   bool // x is computed by ops, so its gradient is needed
	direct  bool // 1×1 kernel, stride 1: x is its own im2col matrix
	out     owned
	cols    owned // the last run's im2col matrix (unused when direct)
}

func (op *conv2DOp) Arity() int { return 3 }

func (op *conv2DOp) Type() hm.Type { return fnType(4, 4, 1, 4) }

// window returns the geometry for input shape xs and kernel shape ks.
func (op *conv2DOp) window(xs, ks tensor.Shape) (window, error) {
	if ks.Dims() != 4 || xs.Dims() != 4 || ks[2] != xs[3] {
		return window{}, errors.Errorf("%s: input shape %v and kernel shape %v do not fit", op.name, xs, ks)
	}
	g, err := newWindow(xs, ks[0], ks[1], op.strides[0], op.strides[1], op.padding)
	return g, errors.Wrap(err, op.name)
}

func (op *conv2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("%s takes 3 inputs, got %d", op.name, len(in))
	}
	xs, err := knownShape(op.name, in[0], 4)
	if err != nil {
		return nil, err
	}
	ks, err := knownShape(op.name, in[1], 4)
	if err != nil {
		return nil, err
	}
	g, err := op.window(xs, ks)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.batch, g.oh, g.ow, ks[3]}, nil
}

func (op *conv2DOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, conv2DDo[float32], conv2DDo[float64])
}

func conv2DDo[T float32 | float64](op *conv2DOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, err := floats[T]("Conv2D input", vals[0])
	if err != nil {
		return nil, err
	}
	k, err := floats[T]("Conv2D kernel", vals[1])
	if err != nil {
		return nil, err
	}
	b, err := floats[T]("Conv2D bias", vals[2])
	if err != nil {
		return nil, err
	}
	ks := vals[1].Shape()
	g, err := op.window(vals[0].Shape(), ks)
	if err != nil {
		return nil, err
	}
	rows, kk, f := g.rows(), ks[0]*ks[1]*ks[2], ks[3]
	if len(b) != f {
		return nil, errors.Errorf("%s: bias has shape %v, want (%d)", op.name, vals[2].Shape(), f)
	}
	y := op.out.like(dt, tensor.Shape{g.batch, g.oh, g.ow, f})
	ys, _ := floats[T](op.name, y)
	cols := x
	if !op.direct {
		cols, _ = floats[T](op.name, op.cols.matrix(dt, rows, kk))
		im2col(&g, x, cols)
	}
	for i := 0; i < rows; i++ {
		copy(ys[i*f:(i+1)*f], b)
	}
	matmul(false, false, rows, f, kk, cols, kk, k, f, 1, ys, f)
	return y, nil
}

// DiffWRT says the kernel and bias are differentiable, and the input only
// when it is not a leaf.
func (op *conv2DOp) DiffWRT(inputs int) []bool { return []bool{op.wantX, true, true} }

// SymDiff returns the gradients of x (nil for a leaf), the kernel and the
// bias.
func (op *conv2DOp) SymDiff(inputs G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, errors.Errorf("%s takes 3 inputs, got %d", op.name, len(inputs))
	}
	x, kernel := inputs[0], inputs[1]
	ks := kernel.Shape().Clone()
	kg := &conv2DKernelGradOp{fwd: op, kshape: ks}
	kg.name = fmt.Sprintf("Conv2DKernelGrad(kernel %v, strides %d×%d, padding %v)", ks, op.strides[0], op.strides[1], op.padding)
	dk, err := G.ApplyOp(kg, x, y, grad)
	if err != nil {
		return nil, errors.Wrap(err, "Conv2D: kernel gradient")
	}
	db, err := G.ApplyOp(newColSum(4, 1), grad)
	if err != nil {
		return nil, errors.Wrap(err, "Conv2D: bias gradient")
	}
	var dx *G.Node
	if op.wantX {
		xs := x.Shape().Clone()
		ig := &conv2DInputGradOp{xshape: xs, strides: op.strides, padding: op.padding}
		ig.name = fmt.Sprintf("Conv2DInputGrad(input %v, strides %d×%d, padding %v)", xs, op.strides[0], op.strides[1], op.padding)
		if dx, err = G.ApplyOp(ig, kernel, grad); err != nil {
			return nil, errors.Wrap(err, "Conv2D: input gradient")
		}
	}
	return G.Nodes{dx, dk, db}, nil
}

var _ G.SDOp = (*conv2DOp)(nil)

// conv2DKernelGradOp computes Conv2D's kernel gradient colsᵀ·g, shaped
// like the kernel, into a buffer it owns. Its inputs are x, the forward
// op's output y and the output gradient g. It reads the im2col matrix the
// forward op fwd left in its cols buffer (x itself for a 1×1 kernel with
// stride 1) rather than building it again: having y as an input puts it
// after the forward op in every run, so that buffer holds this run's
// windows. y is not read otherwise.
type conv2DKernelGradOp struct {
	opInfo
	fwd    *conv2DOp
	kshape tensor.Shape
	out    owned
}

func (op *conv2DKernelGradOp) Arity() int { return 3 }

func (op *conv2DKernelGradOp) Type() hm.Type { return fnType(4, 4, 4, 4) }

func (op *conv2DKernelGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("%s takes 3 inputs, got %d", op.name, len(in))
	}
	return op.kshape.Clone(), nil
}

func (op *conv2DKernelGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 2, conv2DKernelGradDo[float32], conv2DKernelGradDo[float64])
}

func conv2DKernelGradDo[T float32 | float64](op *conv2DKernelGradOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	g, err := op.fwd.window(vals[0].Shape(), op.kshape)
	if err != nil {
		return nil, err
	}
	rows, kk, f := g.rows(), op.kshape[0]*op.kshape[1]*op.kshape[2], op.kshape[3]
	if ds := vals[2].Shape(); !shapeIs(ds, g.batch, g.oh, g.ow, f) {
		return nil, errors.Errorf("%s: gradient has shape %v, want (%d, %d, %d, %d)", op.name, ds, g.batch, g.oh, g.ow, f)
	}
	dy, err := floats[T](op.name, vals[2])
	if err != nil {
		return nil, err
	}
	var cols []T
	if op.fwd.direct {
		cols, err = floats[T](op.name, vals[0])
	} else if op.fwd.cols.t == nil {
		err = errors.Errorf("%s: the forward Conv2D has not run", op.name)
	} else {
		cols, err = floats[T](op.name, op.fwd.cols.t)
	}
	if err != nil {
		return nil, err
	}
	if len(cols) != rows*kk {
		return nil, errors.Errorf("%s: the forward Conv2D's im2col matrix has %d values, want %d×%d", op.name, len(cols), rows, kk)
	}
	dk := op.out.like(dt, op.kshape)
	dks, _ := floats[T](op.name, dk)
	matmul(true, false, kk, f, rows, cols, kk, dy, f, 0, dks, f)
	return dk, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *conv2DKernelGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *conv2DKernelGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*conv2DKernelGradOp)(nil)

// conv2DInputGradOp computes Conv2D's input gradient into a buffer it
// owns: from the kernel and the output gradient g, the product g·kernelᵀ
// (an im2col-shaped matrix, kept as scratch) scattered back by col2im onto
// the (batch, h, w, c) input positions it came from. For a 1×1 kernel with
// stride 1 the product is the input gradient itself.
type conv2DInputGradOp struct {
	opInfo
	xshape  tensor.Shape
	strides [2]int
	padding Padding
	dcols   owned
	out     owned
}

func (op *conv2DInputGradOp) Arity() int { return 2 }

func (op *conv2DInputGradOp) Type() hm.Type { return fnType(4, 4, 4) }

func (op *conv2DInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s takes 2 inputs, got %d", op.name, len(in))
	}
	return op.xshape.Clone(), nil
}

func (op *conv2DInputGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 1, conv2DInputGradDo[float32], conv2DInputGradDo[float64])
}

func conv2DInputGradDo[T float32 | float64](op *conv2DInputGradOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	ks := vals[0].Shape()
	if ks.Dims() != 4 || ks[2] != op.xshape[3] {
		return nil, errors.Errorf("%s: kernel shape %v does not fit input shape %v", op.name, ks, op.xshape)
	}
	g, err := newWindow(op.xshape, ks[0], ks[1], op.strides[0], op.strides[1], op.padding)
	if err != nil {
		return nil, errors.Wrap(err, op.name)
	}
	rows, kk, f := g.rows(), ks[0]*ks[1]*ks[2], ks[3]
	if ds := vals[1].Shape(); !shapeIs(ds, g.batch, g.oh, g.ow, f) {
		return nil, errors.Errorf("%s: gradient has shape %v, want (%d, %d, %d, %d)", op.name, ds, g.batch, g.oh, g.ow, f)
	}
	k, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := floats[T](op.name, vals[1])
	if err != nil {
		return nil, err
	}
	dx := op.out.like(dt, op.xshape)
	dxs, _ := floats[T](op.name, dx)
	if ks[0] == 1 && ks[1] == 1 && op.strides == [2]int{1, 1} {
		matmul(false, true, rows, kk, f, dy, f, k, f, 0, dxs, kk)
		return dx, nil
	}
	dcols, _ := floats[T](op.name, op.dcols.matrix(dt, rows, kk))
	matmul(false, true, rows, kk, f, dy, f, k, f, 0, dcols, kk)
	col2im(&g, dcols, dxs)
	return dx, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *conv2DInputGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *conv2DInputGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*conv2DInputGradOp)(nil)
