package graph

import (
	"math"

	G "gorgonia.org/gorgonia"
)

var sigmoid = &unary{
	name:   "Sigmoid",
	fwd32:  sigmoidOf[float32],
	fwd64:  sigmoidOf[float64],
	grad32: sigmoidGrad[float32],
	grad64: sigmoidGrad[float64],
}

// Sigmoid returns 1 / (1 + exp(−x)) element-wise, for a node of any
// shape, computed in float64 and rounded once: 0 and 1 at the far ends,
// NaN for NaN. Its gradient is the incoming gradient times y·(1−y), from
// the output y. A nil node or one that is not float32 or float64 is an
// error.
func Sigmoid(x *G.Node) (*G.Node, error) { return sigmoid.apply(x) }

// sigmoidOf sets y[i] to the sigmoid of x[i].
func sigmoidOf[T float32 | float64](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = T(1 / (1 + math.Exp(-float64(v))))
	}
}

// sigmoidGrad sets dx[i] to g[i]·y[i]·(1−y[i]), y the sigmoid's output.
func sigmoidGrad[T float32 | float64](dx, y, g []T) {
	dx, g = dx[:len(y)], g[:len(y)]
	for i, v := range y {
		dx[i] = g[i] * (v * (1 - v))
	}
}
