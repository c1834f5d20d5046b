package graph

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// BinaryCrossentropyFromLogits returns the scalar mean over every
// element of max(x, 0) − x·t + log(1 + exp(−|x|)), the binary
// cross-entropy of targets t and sigmoid(x) for logits x of the same 2-D
// shape, as TensorFlow's sigmoid_cross_entropy_with_logits computes it:
// finite and exact for logits of any magnitude. (The mean over the last
// axis and then over the batch, as Keras's binary_crossentropy takes it,
// is the mean over every element.) Its gradient with respect to x is
// (sigmoid(x) − t) / (rows·columns). No gradient flows into t.
func BinaryCrossentropyFromLogits(logits, target *G.Node) (*G.Node, error) {
	if err := checkSame("BinaryCrossentropyFromLogits", logits, target); err != nil {
		return nil, err
	}
	return applyLoss("SigmoidCrossentropy", logits, target, rowKernels{bceLogitsRows[float64], bceLogitsRows[float32]}, rowKernels{bceLogitsGradRows[float64], bceLogitsGradRows[float32]})
}

func bceLogitsRows[T float32 | float64](in [][]T, _ T, rows, cols int, _ []T) (T, error) {
	x, t := in[0], in[1]
	var total float64
	for i, v := range x[:rows*cols] {
		z := float64(v)
		total += max(z, 0) - z*float64(t[i]) + math.Log1p(math.Exp(-math.Abs(z)))
	}
	return T(total / float64(rows*cols)), nil
}

func bceLogitsGradRows[T float32 | float64](in [][]T, g T, rows, cols int, out []T) (T, error) {
	x, t := in[0], in[1]
	scale := float64(g) / float64(rows*cols)
	for i, v := range x[:rows*cols] {
		out[i] = T(scale * (1/(1+math.Exp(-float64(v))) - float64(t[i])))
	}
	return 0, nil
}

// BinaryCrossentropy returns the scalar mean over every element of
// −(t·log p + (1−t)·log(1−p)), computed as Keras 3 computes it from
// probabilities: p clipped to [Epsilon, 1−Epsilon] (the bounds rounded
// to p's type, as Keras computes them) first, so a probability of 0 or 1
// costs at most −log(1e-7) ≈ 16.1 instead of +Inf.
// Inside the clipping range the gradient is exact, (p−t)/(p(1−p)) over
// rows·columns; outside it is zero, as in Keras. No gradient flows into
// t.
func BinaryCrossentropy(probs, target *G.Node) (*G.Node, error) {
	if err := checkSame("BinaryCrossentropy", probs, target); err != nil {
		return nil, err
	}
	return applyLoss("BinaryCrossentropy", probs, target, rowKernels{bceProbsRows[float64], bceProbsRows[float32]}, rowKernels{bceProbsGradRows[float64], bceProbsGradRows[float32]})
}

func bceProbsRows[T float32 | float64](in [][]T, _ T, rows, cols int, _ []T) (T, error) {
	p, t := in[0], in[1]
	cl, ch := clipRange[T]()
	var total float64
	for i, v := range p[:rows*cols] {
		q, y := clip(float64(v), cl, ch), float64(t[i])
		total -= y*math.Log(q) + (1-y)*math.Log(1-q)
	}
	return T(total / float64(rows*cols)), nil
}

func bceProbsGradRows[T float32 | float64](in [][]T, g T, rows, cols int, out []T) (T, error) {
	p, t := in[0], in[1]
	scale := float64(g) / float64(rows*cols)
	cl, ch := clipRange[T]()
	for i, v := range p[:rows*cols] {
		q, y := float64(v), float64(t[i])
		out[i] = 0
		if q >= cl && q <= ch {
			out[i] = T(scale * (-y/q + (1-y)/(1-q)))
		}
	}
	return 0, nil
}
