package graph

import (
	"math"

	G "gorgonia.org/gorgonia"
)

var relu = &unary{
	name:   "ReLU",
	fwd32:  reluOf[float32],
	fwd64:  reluOf[float64],
	grad32: maskedCopy,
	grad64: reluGrad[float64],
}

// ReLU returns max(x, 0) element-wise, for a node of any shape. NaN stays
// NaN, so a diverging network shows in its loss. The gradient is a masked
// copy of the incoming gradient: kept where the output is positive, zero
// elsewhere, x = 0 included, as in Keras. A nil node or one that is not
// float32 or float64 is an error.
func ReLU(x *G.Node) (*G.Node, error) { return relu.apply(x) }

// reluOf sets y[i] to max(x[i], 0): NaN stays NaN; −0 becomes +0.
func reluOf[T float32 | float64](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// reluGrad sets dx[i] to g[i] where y[i] > 0 and to 0 elsewhere.
func reluGrad[T float32 | float64](dx, y, g []T) {
	dx, g = dx[:len(y)], g[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = g[i]
		} else {
			dx[i] = 0
		}
	}
}

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
