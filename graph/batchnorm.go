package graph

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// batchNorms numbers the training BatchNorm nodes made, so that no two
// are merged: each updates its moving statistics.
var batchNorms atomic.Uint64

// BatchNorm returns Keras 3's BatchNormalization of x over its last axis
// (channels-last data): x is a (batch, …, channels) node of 2 to 4
// dimensions, seen as a (rows, channels) matrix, rows being the product
// of the other axes; gamma, beta, movingMean and movingVar are vectors of
// one value per channel. Keras's defaults are momentum 0.99 and epsilon
// 0.001.
//
// In training (training true) each channel c is normalised by the
// batch's own statistics, its mean μ and biased variance σ² (the mean of
// the squared deviations, divided by rows, as Keras 3's ops.moments
// computes it):
//
//	y = (x − μ)·gamma/√(σ² + epsilon) + beta.
//
// μ and σ² are accumulated in float64: each fixed block of rows (a block
// size that depends on the channel count only) is summed in two passes,
// and the blocks are combined in order by Chan's pairwise formula, so the
// result is accurate, and the same bit for bit on any number of cores.
//
// Side effect: each run of a training node also updates the moving
// statistics in place, in the values of the movingMean and movingVar
// nodes (the model's own weight tensors), once per run, as Keras 3 does:
//
//	movingMean ← movingMean·momentum + μ·(1 − momentum)
//	movingVar  ← movingVar·momentum + σ²·(1 − momentum)
//
// (computed in float64, rounded to the nodes' type). Both must therefore
// be variables (leaf nodes holding a value), distinct from each other and
// from the other inputs. Two training BatchNorm calls on the same nodes
// make two nodes, each of which updates the statistics (Gorgonia would
// merge identical ops on the same inputs).
//
// In inference (training false) the moving statistics are used and
// nothing is updated:
//
//	y = (x − movingMean)·gamma/√(movingVar + epsilon) + beta.
//
// The gradients are those of gamma, beta and x; movingMean and movingVar
// are not differentiable. In training the gradients go through the batch
// statistics (x̂ = (x − μ)/√(σ² + epsilon), g the incoming gradient, sums
// over the rows):
//
//	dgamma = Σ g·x̂,  dbeta = Σ g,
//	dx = gamma/√(σ² + epsilon) · (g − dbeta/rows − x̂·dgamma/rows);
//
// in inference the statistics are constants and dx = g·gamma/√(movingVar
// + epsilon). The forward op keeps each channel's μ and 1/√(σ² + epsilon)
// for its gradient ops, which recompute x̂ from x. As with Dense and
// Conv2D, x's gradient is built only when x is computed by other ops:
// when x is a leaf of the graph (the data a network is fed) nothing
// needs it, and asking gorgonia.Grad for it is an error.
//
// A nil node; an x that is not 2-D to 4-D or has an empty axis; a
// parameter that is not a vector of one value per channel; types that
// differ or are not float32 or float64; an epsilon that is not positive
// and finite; a momentum outside [0, 1]; or, in training, moving
// statistics that are not variables or are the same node as another
// input: each is an error naming what was wrong and the shapes.
func BatchNorm(x, gamma, beta, movingMean, movingVar *G.Node, momentum, epsilon float64, training bool) (*G.Node, error) {
	return batchNorm(x, gamma, beta, movingMean, movingVar, momentum, epsilon, training, x != nil && x.Op() != nil)
}

// batchNorm is BatchNorm, with wantX saying whether x's gradient is built.
func batchNorm(x, gamma, beta, movingMean, movingVar *G.Node, momentum, epsilon float64, training, wantX bool) (*G.Node, error) {
	if err := checkFloatNode("BatchNorm input", x, 0, ""); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if d := xs.Dims(); d < 2 || d > 4 {
		return nil, errors.Errorf("BatchNorm needs a 2-D to 4-D (batch, …, channels) input, got %v with shape %v", x.Name(), xs)
	}
	if xs.TotalSize() < 1 {
		return nil, errors.Errorf("BatchNorm: input shape %v has an empty axis", xs)
	}
	c := xs[xs.Dims()-1]
	params := [...]struct {
		what string
		n    *G.Node
	}{{"gamma", gamma}, {"beta", beta}, {"moving mean", movingMean}, {"moving variance", movingVar}}
	for _, p := range params {
		if err := checkFloatNode("BatchNorm "+p.what, p.n, 1, "(channels)"); err != nil {
			return nil, err
		}
		if !shapeIs(p.n.Shape(), c) {
			return nil, errors.Errorf("BatchNorm: %s has shape %v, want (%d), one value per channel of the input %v", p.what, p.n.Shape(), c, xs)
		}
		if p.n.Dtype() != x.Dtype() {
			return nil, errors.Errorf("BatchNorm: %s is %v but the input is %v (input shape %v)", p.what, p.n.Dtype(), x.Dtype(), xs)
		}
	}
	if !(epsilon > 0) || math.IsInf(epsilon, 1) {
		return nil, errors.Errorf("BatchNorm: epsilon %v must be positive and finite (input shape %v)", epsilon, xs)
	}
	if !(momentum >= 0 && momentum <= 1) {
		return nil, errors.Errorf("BatchNorm: momentum %v is outside [0, 1] (input shape %v)", momentum, xs)
	}
	op := &batchNormOp{training: training, momentum: momentum, epsilon: epsilon, wantX: wantX, dims: xs.Dims()}
	if training {
		if movingMean == movingVar {
			return nil, errors.Errorf("BatchNorm: in training the moving mean and variance must be two nodes, got %v twice", movingMean.Name())
		}
		for _, p := range params[2:] {
			if !p.n.IsVar() {
				return nil, errors.Errorf("BatchNorm: in training the %s %v must be a variable, whose value is updated in place", p.what, p.n.Name())
			}
			if p.n == x || p.n == gamma || p.n == beta {
				return nil, errors.Errorf("BatchNorm: in training the %s %v, updated in place, must not also be another input", p.what, p.n.Name())
			}
		}
		op.name = fmt.Sprintf("BatchNorm(training, momentum %v, epsilon %v, input gradient %v, #%d)", momentum, epsilon, wantX, batchNorms.Add(1))
	} else {
		op.name = fmt.Sprintf("BatchNorm(inference, epsilon %v, input gradient %v)", epsilon, wantX)
	}
	y, err := G.ApplyOp(op, x, gamma, beta, movingMean, movingVar)
	return y, errors.Wrap(err, "BatchNorm")
}

// bnBlockElems and bnMinBlockRows set the blocks of rows whose sums are
// computed apart and then combined in order: max(bnMinBlockRows,
// bnBlockElems/channels) rows, a number that depends on the channel count
// only, so the sums are the same on any number of cores; a block fits in
// the first-level cache, where its second pass finds it.
const (
	bnBlockElems   = 1 << 12
	bnMinBlockRows = 16
)

// bnBlocks returns the rows of a block and the number of blocks for a
// (rows, c) input.
func bnBlocks(rows, c int) (size, n int) {
	size = max(bnMinBlockRows, bnBlockElems/c)
	return size, (rows + size - 1) / size
}

// bnGrain is the fewest blocks of size rows of c channels one goroutine
// handles.
func bnGrain(size, c int) int { return max(1, elementGrain/(size*c)) }

// batchNormOp computes BatchNorm into a buffer it owns, and keeps each
// channel's mean and inverse standard deviation for its gradient ops. Its
// inputs are x, gamma, beta, the moving mean and the moving variance.
type batchNormOp struct {
	opInfo
	training          bool
	momentum, epsilon float64
	wantX             bool // x is computed by ops, so its gradient is needed
	dims              int  // x's rank
	out               owned
	coef              owned     // (3, c) of x's type: the mean, scale and beta of the last run
	mean, invStd      []float64 // per channel: the last run's μ and 1/√(σ² + ε)
	part              []float64 // training: per block and channel, the block's mean, then its sum of squared deviations
	rows              int       // the last run's rows
}

func (op *batchNormOp) Arity() int { return 5 }

func (op *batchNormOp) Type() hm.Type { return fnType(op.dims, 1, 1, 1, 1, op.dims) }

func (op *batchNormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 5 {
		return nil, errors.Errorf("%s takes 5 inputs, got %d", op.name, len(in))
	}
	xs, err := knownShape(op.name, in[0], op.dims)
	if err != nil {
		return nil, err
	}
	c := xs[op.dims-1]
	for i, d := range in[1:] {
		s, err := knownShape(op.name, d, 1)
		if err != nil {
			return nil, err
		}
		if s[0] != c {
			return nil, errors.Errorf("%s: input %d has shape %v, want (%d) for input shape %v", op.name, i+1, s, c, xs)
		}
	}
	return xs.Clone(), nil
}

func (op *batchNormOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, batchNormDo[float32], batchNormDo[float64])
}

// bnMatrix returns x's values, the rows and the channels of a BatchNorm
// input of rank dims, or an error naming what.
func bnMatrix[T float32 | float64](what string, v G.Value, dims int) (x []T, rows, c int, err error) {
	s := v.Shape()
	if s.Dims() != dims || s.TotalSize() < 1 {
		return nil, 0, 0, errors.Errorf("%s: input of shape %v, want a non-empty %d-D one", what, s, dims)
	}
	if x, err = floats[T](what, v); err != nil {
		return nil, 0, 0, err
	}
	c = s[dims-1]
	return x, len(x) / c, c, nil
}

// bnVector returns the values of a parameter vector of c values.
func bnVector[T float32 | float64](op, what string, v G.Value, c int) ([]T, error) {
	p, err := floats[T](op, v)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if len(p) != c || v.Shape().Dims() != 1 {
		return nil, errors.Errorf("%s: %s has shape %v, want (%d)", op, what, v.Shape(), c)
	}
	return p, nil
}

func batchNormDo[T float32 | float64](op *batchNormOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, rows, c, err := bnMatrix[T](op.name, vals[0], op.dims)
	if err != nil {
		return nil, err
	}
	gamma, err := bnVector[T](op.name, "gamma", vals[1], c)
	if err != nil {
		return nil, err
	}
	beta, err := bnVector[T](op.name, "beta", vals[2], c)
	if err != nil {
		return nil, err
	}
	mm, err := bnVector[T](op.name, "moving mean", vals[3], c)
	if err != nil {
		return nil, err
	}
	mv, err := bnVector[T](op.name, "moving variance", vals[4], c)
	if err != nil {
		return nil, err
	}
	if len(op.mean) != c {
		op.mean, op.invStd = make([]float64, c), make([]float64, c)
	}
	op.rows = rows
	mean, invStd := op.mean, op.invStd
	if op.training {
		bnMoments(op, x, rows, c) // the variance goes to invStd
		m := op.momentum
		for j := range c {
			mm[j] = T(float64(mm[j])*m + mean[j]*(1-m))
			mv[j] = T(float64(mv[j])*m + invStd[j]*(1-m))
			invStd[j] = 1 / math.Sqrt(invStd[j]+op.epsilon)
		}
	} else {
		for j := range c {
			mean[j] = float64(mm[j])
			invStd[j] = 1 / math.Sqrt(float64(mv[j])+op.epsilon)
		}
	}
	coef, _ := floats[T](op.name, op.coef.matrix(dt, 3, c))
	mu, scale, shift := coef[:c], coef[c:2*c], coef[2*c:]
	for j := range c {
		mu[j] = T(mean[j])
		scale[j] = T(float64(gamma[j]) * invStd[j])
	}
	copy(shift, beta)
	y := op.out.like(dt, vals[0].Shape())
	ys, _ := floats[T](op.name, y)
	// y = (x − μ)·scale + beta, row by row: each element is computed on
	// its own, so the split does not matter.
	par.For(rows, max(1, elementGrain/c), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			bnNormRow(ys[r*c:(r+1)*c], x[r*c:(r+1)*c], mu, scale, shift)
		}
	})
	return y, nil
}

// bnNormRow sets y[j] = (x[j] − mu[j])·scale[j] + shift[j]. All the
// slices have y's length.
func bnNormRow[T float32 | float64](y, x, mu, scale, shift []T) {
	x, mu, scale, shift = x[:len(y)], mu[:len(y)], scale[:len(y)], shift[:len(y)]
	for j := range y {
		y[j] = (x[j]-mu[j])*scale[j] + shift[j]
	}
}

// bnAddRow adds x to sum, in float64.
func bnAddRow[T float32 | float64](sum []float64, x []T) {
	x = x[:len(sum)]
	for j := range sum {
		sum[j] += float64(x[j])
	}
}

// bnAddSquaresRow adds (x − mu)² to m2, in float64.
func bnAddSquaresRow[T float32 | float64](m2, mu []float64, x []T) {
	mu, x = mu[:len(m2)], x[:len(m2)]
	for j := range m2 {
		d := float64(x[j]) - mu[j]
		m2[j] += d * d
	}
}

// bnMoments sets op.mean to the per-channel mean of the (rows, c) matrix
// x and op.invStd to its biased variance, accumulated in float64: each
// block's mean, then its sum of squared deviations from that mean, then
// the blocks combined in order by Chan's formula.
func bnMoments[T float32 | float64](op *batchNormOp, x []T, rows, c int) {
	size, n := bnBlocks(rows, c)
	if cap(op.part) < 2*n*c {
		op.part = make([]float64, 2*n*c)
	}
	means, m2s := op.part[:n*c], op.part[n*c:2*n*c]
	par.For(n, bnGrain(size, c), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r0, r1 := b*size, min((b+1)*size, rows)
			mu, m2 := means[b*c:(b+1)*c], m2s[b*c:(b+1)*c]
			clear(mu)
			clear(m2)
			for r := r0; r < r1; r++ {
				bnAddRow(mu, x[r*c:(r+1)*c])
			}
			k := float64(r1 - r0)
			for j := range mu {
				mu[j] /= k
			}
			for r := r0; r < r1; r++ {
				bnAddSquaresRow(m2, mu, x[r*c:(r+1)*c])
			}
		}
	})
	mean, vr := op.mean, op.invStd
	copy(mean, means[:c])
	copy(vr, m2s[:c])
	seen := float64(min(size, rows))
	for b := 1; b < n; b++ {
		k := float64(min((b+1)*size, rows) - b*size)
		total := seen + k
		for j := range c {
			d := means[b*c+j] - mean[j]
			mean[j] += d * (k / total)
			vr[j] += m2s[b*c+j] + d*d*(seen*k/total)
		}
		seen = total
	}
	for j := range vr {
		vr[j] /= float64(rows)
	}
}

// DiffWRT reports that BatchNorm is differentiable in gamma and beta, in
// x when its gradient is wanted, and not in the moving statistics.
func (op *batchNormOp) DiffWRT(inputs int) []bool {
	if inputs != 5 {
		return make([]bool, inputs)
	}
	return []bool{op.wantX, true, true, false, false}
}

// SymDiff returns the gradients of x (nil unless wanted), gamma and beta:
// one op sums g·x̂ and g over the rows into a (2, channels) matrix, two
// views pick its rows as gamma's and beta's gradients, and one op computes
// x's gradient from g and those sums.
func (op *batchNormOp) SymDiff(inputs G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 5 {
		return nil, errors.Errorf("%s takes 5 inputs, got %d", op.name, len(inputs))
	}
	x, gamma := inputs[0], inputs[1]
	sop := &bnSumsOp{opInfo: opInfo{"BatchNormParamGrad of " + op.name}, fwd: op}
	sums, err := G.ApplyOp(sop, x, y, grad)
	if err != nil {
		return nil, errors.Wrap(err, "BatchNorm: gamma and beta gradients")
	}
	dgamma, err := G.ApplyOp(newBNRow(0), sums)
	if err != nil {
		return nil, errors.Wrap(err, "BatchNorm: gamma gradient")
	}
	dbeta, err := G.ApplyOp(newBNRow(1), sums)
	if err != nil {
		return nil, errors.Wrap(err, "BatchNorm: beta gradient")
	}
	var dx *G.Node
	if op.wantX {
		iop := &bnInputGradOp{opInfo: opInfo{"BatchNormInputGrad of " + op.name}, fwd: op}
		if dx, err = G.ApplyOp(iop, x, grad, gamma, sums); err != nil {
			return nil, errors.Wrap(err, "BatchNorm: input gradient")
		}
	}
	return G.Nodes{dx, dgamma, dbeta, nil, nil}, nil
}

var _ G.SDOp = (*batchNormOp)(nil)

// bnSumsOp computes, into a (2, channels) buffer it owns, the sums over
// the rows of g·x̂ (gamma's gradient, row 0) and of g (beta's, row 1),
// where x̂ = (x − μ)·invStd with the statistics the forward op fwd kept.
// Its inputs are x, fwd's output y and the incoming gradient g; having y
// as an input puts it after fwd in every run. The sums are accumulated in
// float64 by fixed blocks of rows combined in order.
type bnSumsOp struct {
	opInfo
	fwd  *batchNormOp
	part []float64 // per block and channel: Σ g·(x − μ), then Σ g
	out  owned
}

func (op *bnSumsOp) Arity() int { return 3 }

func (op *bnSumsOp) Type() hm.Type { return fnType(op.fwd.dims, op.fwd.dims, op.fwd.dims, 2) }

func (op *bnSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, errors.Errorf("%s takes 3 inputs, got %d", op.name, len(in))
	}
	xs, err := knownShape(op.name, in[0], op.fwd.dims)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{2, xs[op.fwd.dims-1]}, nil
}

func (op *bnSumsOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, bnSumsDo[float32], bnSumsDo[float64])
}

// bnGradInputs returns x and g of a BatchNorm gradient op, checking that
// they fit each other and the forward op's last run.
func bnGradInputs[T float32 | float64](name string, fwd *batchNormOp, xv, gv G.Value) (x, g []T, rows, c int, err error) {
	if x, rows, c, err = bnMatrix[T](name, xv, fwd.dims); err != nil {
		return nil, nil, 0, 0, err
	}
	if !shapeIs(gv.Shape(), xv.Shape()...) {
		return nil, nil, 0, 0, errors.Errorf("%s: the gradient's shape %v is not the input's %v", name, gv.Shape(), xv.Shape())
	}
	if g, err = floats[T](name, gv); err != nil {
		return nil, nil, 0, 0, errors.Wrap(err, "gradient")
	}
	if fwd.rows != rows || len(fwd.mean) != c {
		return nil, nil, 0, 0, errors.Errorf("%s: the forward BatchNorm's last run (%d rows, %d channels) does not match the input's shape %v",
			name, fwd.rows, len(fwd.mean), xv.Shape())
	}
	return x, g, rows, c, nil
}

func bnSumsDo[T float32 | float64](op *bnSumsOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, g, rows, c, err := bnGradInputs[T](op.name, op.fwd, vals[0], vals[2])
	if err != nil {
		return nil, err
	}
	size, n := bnBlocks(rows, c)
	if cap(op.part) < 2*n*c {
		op.part = make([]float64, 2*n*c)
	}
	sgx, sg := op.part[:n*c], op.part[n*c:2*n*c]
	mean := op.fwd.mean
	par.For(n, bnGrain(size, c), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			a, s := sgx[b*c:(b+1)*c], sg[b*c:(b+1)*c]
			clear(a)
			clear(s)
			for r := b * size; r < min((b+1)*size, rows); r++ {
				bnGradSumsRow(a, s, mean, g[r*c:(r+1)*c], x[r*c:(r+1)*c])
			}
		}
	})
	// Block 0's sums are the start; the others are added in order.
	for b := 1; b < n; b++ {
		for j := range c {
			sgx[j] += sgx[b*c+j]
			sg[j] += sg[b*c+j]
		}
	}
	out := op.out.matrix(dt, 2, c)
	o, _ := floats[T](op.name, out)
	for j := range c {
		o[j] = T(sgx[j] * op.fwd.invStd[j])
		o[c+j] = T(sg[j])
	}
	return out, nil
}

// bnGradSumsRow adds g·(x − mean) to a and g to s, in float64. All the
// slices have a's length.
func bnGradSumsRow[T float32 | float64](a, s, mean []float64, g, x []T) {
	s, mean, g, x = s[:len(a)], mean[:len(a)], g[:len(a)], x[:len(a)]
	for j := range a {
		gv := float64(g[j])
		a[j] += gv * (float64(x[j]) - mean[j])
		s[j] += gv
	}
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *bnSumsOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *bnSumsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*bnSumsOp)(nil)

// bnRowOp gives row row of its input, a (2, channels) matrix, as a
// vector without copying: a header it keeps over that row's memory.
type bnRowOp struct {
	opInfo
	row  int
	view *tensor.Dense
}

func newBNRow(row int) *bnRowOp {
	return &bnRowOp{opInfo: opInfo{fmt.Sprintf("BatchNormGradRow(%d)", row)}, row: row}
}

func (op *bnRowOp) Arity() int { return 1 }

func (op *bnRowOp) Type() hm.Type { return fnType(2, 1) }

func (op *bnRowOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes 1 input, got %d", op.name, len(in))
	}
	s, err := knownShape(op.name, in[0], 2)
	if err != nil {
		return nil, err
	}
	if s[0] <= op.row {
		return nil, errors.Errorf("%s: input of shape %v", op.name, s)
	}
	return tensor.Shape{s[1]}, nil
}

func (op *bnRowOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) == 1 {
		if s := vals[0].Shape(); s.Dims() != 2 || s[0] <= op.row {
			return nil, errors.Errorf("%s: input of shape %v", op.name, s)
		}
	}
	return dispatch(op, vals, 0, bnRowDo[float32], bnRowDo[float64])
}

func bnRowDo[T float32 | float64](op *bnRowOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	m, err := floats[T](op.name, vals[0])
	if err != nil {
		return nil, err
	}
	c := vals[0].Shape()[1]
	row := m[op.row*c : (op.row+1)*c]
	if op.view != nil && op.view.Dtype() == dt {
		if old, err := floats[T](op.name, op.view); err == nil && len(old) == c && (c == 0 || &old[0] == &row[0]) {
			return op.view, nil
		}
	}
	op.view = tensor.New(tensor.WithShape(c), tensor.WithBacking(row))
	return op.view, nil
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *bnRowOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *bnRowOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*bnRowOp)(nil)

// bnInputGradOp computes BatchNorm's input gradient into a buffer it
// owns, from x, the incoming gradient g, gamma and the (2, channels) sums
// of bnSumsOp (which puts it after the forward op fwd), with the
// statistics fwd kept. In training, per channel,
//
//	dx = k·(g − dbeta/rows) − k·invStd·dgamma/rows·(x − μ),  k = gamma·invStd;
//
// in inference dx = k·g.
type bnInputGradOp struct {
	opInfo
	fwd  *batchNormOp
	coef owned // (4, c) of x's type: μ, k, k·invStd·dgamma/rows, −k·dbeta/rows
	out  owned
}

func (op *bnInputGradOp) Arity() int { return 4 }

func (op *bnInputGradOp) Type() hm.Type {
	return fnType(op.fwd.dims, op.fwd.dims, 1, 2, op.fwd.dims)
}

func (op *bnInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, errors.Errorf("%s takes 4 inputs, got %d", op.name, len(in))
	}
	xs, err := knownShape(op.name, in[0], op.fwd.dims)
	if err != nil {
		return nil, err
	}
	return xs.Clone(), nil
}

func (op *bnInputGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, 0, bnInputGradDo[float32], bnInputGradDo[float64])
}

func bnInputGradDo[T float32 | float64](op *bnInputGradOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	x, g, rows, c, err := bnGradInputs[T](op.name, op.fwd, vals[0], vals[1])
	if err != nil {
		return nil, err
	}
	gamma, err := bnVector[T](op.name, "gamma", vals[2], c)
	if err != nil {
		return nil, err
	}
	sums, err := floats[T](op.name, vals[3])
	if err != nil {
		return nil, errors.Wrap(err, "sums")
	}
	if !shapeIs(vals[3].Shape(), 2, c) {
		return nil, errors.Errorf("%s: sums of shape %v, want (2, %d)", op.name, vals[3].Shape(), c)
	}
	coef, _ := floats[T](op.name, op.coef.matrix(dt, 4, c))
	mu, k, kx, k0 := coef[:c], coef[c:2*c], coef[2*c:3*c], coef[3*c:]
	fwd, n := op.fwd, float64(rows)
	for j := range c {
		kj := float64(gamma[j]) * fwd.invStd[j]
		mu[j], k[j] = T(fwd.mean[j]), T(kj)
		kx[j] = T(kj * fwd.invStd[j] * float64(sums[j]) / n)
		k0[j] = T(-kj * float64(sums[c+j]) / n)
	}
	dx := op.out.like(dt, vals[0].Shape())
	d, _ := floats[T](op.name, dx)
	training := fwd.training
	par.For(rows, max(1, elementGrain/c), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			if training {
				bnGradRow(d[r*c:(r+1)*c], g[r*c:(r+1)*c], x[r*c:(r+1)*c], mu, k, kx, k0)
			} else {
				bnScaleRow(d[r*c:(r+1)*c], g[r*c:(r+1)*c], k)
			}
		}
	})
	return dx, nil
}

// bnGradRow sets dx[j] = g[j]·k[j] + k0[j] − kx[j]·(x[j] − mu[j]). All
// the slices have dx's length.
func bnGradRow[T float32 | float64](dx, g, x, mu, k, kx, k0 []T) {
	g, x, mu, k, kx, k0 = g[:len(dx)], x[:len(dx)], mu[:len(dx)], k[:len(dx)], kx[:len(dx)], k0[:len(dx)]
	for j := range dx {
		dx[j] = g[j]*k[j] + k0[j] - kx[j]*(x[j]-mu[j])
	}
}

// bnScaleRow sets dx[j] = g[j]·k[j]. All the slices have dx's length.
func bnScaleRow[T float32 | float64](dx, g, k []T) {
	g, k = g[:len(dx)], k[:len(dx)]
	for j := range dx {
		dx[j] = g[j] * k[j]
	}
}

// DiffWRT reports no differentiable inputs: the op is used only inside
// gradients.
func (op *bnInputGradOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

// SymDiff returns an error: second derivatives are not supported.
func (op *bnInputGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.Errorf("%s is not differentiable", op.name)
}

var _ G.SDOp = (*bnInputGradOp)(nil)
