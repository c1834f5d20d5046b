package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Permute returns x with its axes reordered: axis i of the result is axis
// axes[i] of x, as numpy's transpose(x, axes) gives it, so that
//
//	y[i₀, i₁, …] = x[j₀, j₁, …] with j_{axes[k]} = i_k.
//
// Keras's Permute layer is Permute(x, 0, dims[0], dims[1], …): the batch
// axis stays first. The result is a contiguous row-major copy, in a
// buffer the node keeps from run to run, so that the ops after it
// (Flatten, Reshape, Dense) see the values in their new order. The
// gradient is the incoming gradient permuted back by the inverse
// permutation, an op of the same kind. An identity permutation returns x
// as is.
//
// A nil node, a scalar, a type other than float32 or float64, or axes
// that are not a permutation of x's axes (0 … rank−1, each once) is an
// error naming them and x's shape.
func Permute(x *G.Node, axes ...int) (*G.Node, error) {
	if err := checkFloatNode("Permute input", x, 0, ""); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if x.IsScalar() || xs.Dims() < 1 {
		return nil, errors.Errorf("Permute needs a tensor, got the scalar %v", x.Name())
	}
	if err := checkPermutation(axes, xs.Dims()); err != nil {
		return nil, errors.Wrapf(err, "Permute of shape %v", xs)
	}
	identity := true
	for i, a := range axes {
		identity = identity && a == i
	}
	if identity {
		return x, nil
	}
	y, err := G.ApplyOp(newPermuteOp(xs.Clone(), axes), x)
	return y, errors.Wrap(err, "Permute")
}

// checkPermutation returns an error unless axes holds each of 0 … rank−1
// once.
func checkPermutation(axes []int, rank int) error {
	if len(axes) != rank {
		return errors.Errorf("axes %v: want a permutation of the %d axes", axes, rank)
	}
	seen := make([]bool, rank)
	for _, a := range axes {
		if a < 0 || a >= rank || seen[a] {
			return errors.Errorf("axes %v: want a permutation of 0 … %d, each once", axes, rank-1)
		}
		seen[a] = true
	}
	return nil
}

// permuteOp copies its input, of shape from, into a buffer it owns, its
// axes reordered by axes. Its gradient is the permuteOp of the inverse
// permutation from the output's shape.
type permuteOp struct {
	opInfo
	from tensor.Shape // the input's shape
	to   tensor.Shape // the output's shape
	axes []int
	// strides[i] is the input's stride along output axis i.
	strides []int
	out     owned
}

func newPermuteOp(from tensor.Shape, axes []int) *permuteOp {
	r := len(from)
	in := make([]int, r) // the input's row-major strides
	step := 1
	for a := r - 1; a >= 0; a-- {
		in[a] = step
		step *= from[a]
	}
	to, strides := make(tensor.Shape, r), make([]int, r)
	for i, a := range axes {
		to[i], strides[i] = from[a], in[a]
	}
	return &permuteOp{opInfo: opInfo{fmt.Sprintf("Permute(%v by %v)", from, axes)}, from: from, to: to,
		axes: append([]int(nil), axes...), strides: strides}
}

func (op *permuteOp) Arity() int { return 1 }

func (op *permuteOp) Type() hm.Type { return fnType(op.from.Dims(), op.to.Dims()) }

func (op *permuteOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], op.from.Dims())
	if err != nil {
		return nil, err
	}
	if !shapeIs(s, op.from...) {
		return nil, errors.Errorf("%s: input has shape %v", op.name, s)
	}
	return op.to.Clone(), nil
}

func (op *permuteOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 1 {
		if s := vals[0].Shape(); !shapeIs(s, op.from...) {
			return nil, errors.Errorf("%s: input has shape %v", op.name, s)
		}
	}
	return dispatch(op, vals, 0, permuteDo[float32], permuteDo[float64])
}

// permuteDo copies the input row by row of the output: each output row
// (its last axis) reads the input at a fixed stride.
func permuteDo[T float32 | float64](op *permuteOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	y := op.out.like(dt, op.to)
	d, _ := floats[T](op.name, y)
	r := len(op.to)
	shape, strides := op.to, op.strides
	n, step := shape[r-1], strides[r-1]
	if n == 0 || len(d) == 0 {
		return y, nil
	}
	par.For(len(d)/n, max(1, elementGrain/n), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			off, q := 0, row
			for a := r - 2; a >= 0; a-- {
				off += (q % shape[a]) * strides[a]
				q /= shape[a]
			}
			for j, dst := 0, d[row*n:(row+1)*n]; j < n; j++ {
				dst[j] = x[off+j*step]
			}
		}
	})
	return y, nil
}

// DiffWRT reports that the permutation is differentiable.
func (op *permuteOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns the incoming gradient permuted back: axis axes[i] of
// the input's gradient is axis i of the output's.
func (op *permuteOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	inverse := make([]int, len(op.axes))
	for i, a := range op.axes {
		inverse[a] = i
	}
	dx, err := G.ApplyOp(newPermuteOp(op.to.Clone(), inverse), grad)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: gradient", op.name)
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*permuteOp)(nil)
