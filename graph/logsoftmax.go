package graph

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// LogSoftmax returns x − log Σ exp(x) along each row of the 2-D node x,
// computed as (x − max) − log Σ exp(x − max) so that it stays finite for
// logits of any magnitude. Use it instead of Log(Softmax(x)), which loses
// every probability below the smallest float. The gradient is
// g − exp(y)·Σ g per row, an op of its own.
func LogSoftmax(x *G.Node) (*G.Node, error) {
	if err := checkMatrix("LogSoftmax", x); err != nil {
		return nil, err
	}
	op := kernel(&rowOp{opInfo: opInfo{"LogSoftmax"}, matrices: 1, differWRT: []bool{true}}, logSoftmaxRows[float64], logSoftmaxRows[float32])
	op.symDiff = func(_ G.Nodes, y, g *G.Node) (G.Nodes, error) {
		gradOp := kernel(&rowOp{opInfo: opInfo{"LogSoftmaxGrad"}, matrices: 2}, logSoftmaxGradRows[float64], logSoftmaxGradRows[float32])
		dx, err := G.ApplyOp(gradOp, y, g)
		return G.Nodes{dx}, err
	}
	return G.ApplyOp(op, x)
}

// logSoftmaxRows writes the row-wise log-softmax of in[0] to out.
func logSoftmaxRows[T float32 | float64](in [][]T, _ T, rows, cols int, out []T) (T, error) {
	x := in[0]
	for i := 0; i < rows; i++ {
		row := x[i*cols : (i+1)*cols]
		lse, err := logSumExp(row, i)
		if err != nil {
			return 0, err
		}
		for j, v := range row {
			out[i*cols+j] = T(float64(v) - lse)
		}
	}
	return 0, nil
}

// logSoftmaxGradRows writes dx = g − exp(y)·Σ g for in = {y, g}.
func logSoftmaxGradRows[T float32 | float64](in [][]T, _ T, rows, cols int, out []T) (T, error) {
	y, g := in[0], in[1]
	for i := 0; i < rows; i++ {
		lo, hi := i*cols, (i+1)*cols
		var sum float64
		for j := lo; j < hi; j++ {
			sum += float64(g[j])
		}
		for j := lo; j < hi; j++ {
			out[j] = T(float64(g[j]) - math.Exp(float64(y[j]))*sum)
		}
	}
	return 0, nil
}

// logSumExp returns log Σ exp(row) computed as max + log Σ exp(row − max).
func logSumExp[T float32 | float64](row []T, i int) (float64, error) {
	m, err := rowMax(row, i)
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, v := range row {
		sum += math.Exp(float64(v) - m)
	}
	return m + math.Log(sum), nil
}
