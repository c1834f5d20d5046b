package graph

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Epsilon is the clipping bound Keras applies to probabilities before
// taking their logarithm (keras.backend.epsilon()).
const Epsilon = 1e-7

// CategoricalCrossentropyFromLogits returns the scalar
// mean over rows of −Σⱼ t·log softmax(x), for logits x and targets t of
// the same 2-D shape. The log-softmax subtracts each row's maximum, so the
// loss is finite and exact for logits of any magnitude; its gradient with
// respect to x is (softmax(x)·Σⱼ t − t) / rows. No gradient flows into t.
func CategoricalCrossentropyFromLogits(logits, target *G.Node) (*G.Node, error) {
	if err := checkSame("CategoricalCrossentropyFromLogits", logits, target); err != nil {
		return nil, err
	}
	return applyLoss("SoftmaxCrossentropy", logits, target, rowKernels{xentLogitsRows[float64], xentLogitsRows[float32]}, rowKernels{xentLogitsGradRows[float64], xentLogitsGradRows[float32]})
}

func xentLogitsRows[T float32 | float64](in [][]T, _ T, rows, cols int, _ []T) (T, error) {
	x, t := in[0], in[1]
	var total float64
	for i := 0; i < rows; i++ {
		lo := i * cols
		lse, err := logSumExp(x[lo:lo+cols], i)
		if err != nil {
			return 0, err
		}
		for j := lo; j < lo+cols; j++ {
			if t[j] != 0 {
				total -= float64(t[j]) * (float64(x[j]) - lse)
			}
		}
	}
	return T(total / float64(rows)), nil
}

func xentLogitsGradRows[T float32 | float64](in [][]T, g T, rows, cols int, out []T) (T, error) {
	x, t := in[0], in[1]
	scale := float64(g) / float64(rows)
	for i := 0; i < rows; i++ {
		lo := i * cols
		lse, err := logSumExp(x[lo:lo+cols], i)
		if err != nil {
			return 0, err
		}
		var tsum float64
		for j := lo; j < lo+cols; j++ {
			tsum += float64(t[j])
		}
		for j := lo; j < lo+cols; j++ {
			p := math.Exp(float64(x[j]) - lse)
			out[j] = T(scale * (p*tsum - float64(t[j])))
		}
	}
	return 0, nil
}

// CategoricalCrossentropy returns the scalar mean over rows of
// −Σⱼ t·log p, computed as Keras computes it from probabilities: each row
// of p is divided by its sum and clipped to [Epsilon, 1−Epsilon] (the
// bounds rounded to p's type) first, so a zero probability costs
// −log(1e-7) ≈ 16.1 instead of +Inf. Inside the
// clipping range the gradient is exact; outside it is zero, as in Keras.
// A row of p that does not sum to a positive finite number is an error
// naming the row. No gradient flows into t.
func CategoricalCrossentropy(probs, target *G.Node) (*G.Node, error) {
	if err := checkSame("CategoricalCrossentropy", probs, target); err != nil {
		return nil, err
	}
	return applyLoss("CategoricalCrossentropy", probs, target, rowKernels{xentProbsRows[float64], xentProbsRows[float32]}, rowKernels{xentProbsGradRows[float64], xentProbsGradRows[float32]})
}

// rowSum returns the sum of row i of p, or an error if it is not a
// positive finite number.
func rowSum[T float32 | float64](p []T, i int) (float64, error) {
	var s float64
	for _, v := range p {
		s += float64(v)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return 0, errors.Errorf("row %d of the probabilities sums to %v; want a positive finite sum", i, s)
	}
	return s, nil
}

// rowKernels is a row kernel for each element type.
type rowKernels struct {
	f64 func(in [][]float64, s float64, rows, cols int, out []float64) (float64, error)
	f32 func(in [][]float32, s float32, rows, cols int, out []float32) (float32, error)
}

// applyLoss applies the loss op name to predictions p and targets t (two
// matrices, checked by the caller): loss computes the scalar, and grad
// the gradient with respect to p, in the op name+"Grad", scaled by the
// incoming gradient. No gradient flows into t.
func applyLoss(name string, p, t *G.Node, loss, grad rowKernels) (*G.Node, error) {
	op := kernel(&rowOp{opInfo: opInfo{name}, matrices: 2, scalarOut: true, differWRT: []bool{true, false}}, loss.f64, loss.f32)
	op.symDiff = func(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
		gradOp := kernel(&rowOp{opInfo: opInfo{name + "Grad"}, matrices: 2, scalarIn: true}, grad.f64, grad.f32)
		dp, err := G.ApplyOp(gradOp, in[0], in[1], g)
		return G.Nodes{dp, nil}, err
	}
	return G.ApplyOp(op, p, t)
}

// clipRange returns the bounds Keras clips probabilities of element
// type T to, [Epsilon, 1−Epsilon], computed in T as Keras computes them:
// for float32 they are 1.0000000117e-7 and 0.99999988 (1−1e-7 rounded),
// so a probability of 1 where the target is 0 costs −log(1.19e-7) ≈ 15.94
// there, not 16.12.
func clipRange[T float32 | float64]() (lo, hi float64) {
	eps := T(Epsilon)
	return float64(eps), float64(1 - eps)
}

// clip clips q to [lo, hi].
func clip(q, lo, hi float64) float64 {
	return math.Min(math.Max(q, lo), hi)
}

func xentProbsRows[T float32 | float64](in [][]T, _ T, rows, cols int, _ []T) (T, error) {
	p, t := in[0], in[1]
	cl, ch := clipRange[T]()
	var total float64
	for i := 0; i < rows; i++ {
		lo := i * cols
		s, err := rowSum(p[lo:lo+cols], i)
		if err != nil {
			return 0, err
		}
		for j := lo; j < lo+cols; j++ {
			if t[j] != 0 {
				total -= float64(t[j]) * math.Log(clip(float64(p[j])/s, cl, ch))
			}
		}
	}
	return T(total / float64(rows)), nil
}

func xentProbsGradRows[T float32 | float64](in [][]T, g T, rows, cols int, out []T) (T, error) {
	p, t := in[0], in[1]
	scale := float64(g) / float64(rows)
	cl, ch := clipRange[T]()
	gq := make([]float64, cols)
	for i := 0; i < rows; i++ {
		lo := i * cols
		s, err := rowSum(p[lo:lo+cols], i)
		if err != nil {
			return 0, err
		}
		// gq = ∂L/∂q for q = p/s, zero where the clip is active.
		var dot float64
		for j := 0; j < cols; j++ {
			q := float64(p[lo+j]) / s
			gq[j] = 0
			if q >= cl && q <= ch {
				gq[j] = -float64(t[lo+j]) / q
			}
			dot += gq[j] * q
		}
		// ∂q_j/∂p_k = (δ_jk − q_j)/s.
		for j := 0; j < cols; j++ {
			out[lo+j] = T(scale * (gq[j] - dot) / s)
		}
	}
	return 0, nil
}
