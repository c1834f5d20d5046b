package graph

import (
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Softmax returns exp(x) / Σ exp(x) along each row of the 2-D node x.
//
// Each row's own maximum is subtracted before exponentiating, so logits of
// any magnitude (±1e4 and beyond) give finite probabilities that sum to 1.
// The gradient is y ⊙ (g − Σ g⊙y) per row, an op of its own.
func Softmax(x *G.Node) (*G.Node, error) {
	if err := checkMatrix("Softmax", x); err != nil {
		return nil, err
	}
	op := kernel(&rowOp{opInfo: opInfo{"Softmax"}, matrices: 1, differWRT: []bool{true}}, softmaxRows[float64], softmaxRows[float32])
	op.symDiff = func(_ G.Nodes, y, g *G.Node) (G.Nodes, error) {
		gradOp := kernel(&rowOp{opInfo: opInfo{"SoftmaxGrad"}, matrices: 2}, softmaxGradRows[float64], softmaxGradRows[float32])
		dx, err := G.ApplyOp(gradOp, y, g)
		return G.Nodes{dx}, err
	}
	return G.ApplyOp(op, x)
}

// softmaxRows writes the row-wise softmax of in[0] to out.
func softmaxRows[T float32 | float64](in [][]T, _ T, rows, cols int, out []T) (T, error) {
	x := in[0]
	for i := 0; i < rows; i++ {
		row, o := x[i*cols:(i+1)*cols], out[i*cols:(i+1)*cols]
		m, err := rowMax(row, i)
		if err != nil {
			return 0, err
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v) - m)
			sum += e
			o[j] = T(e)
		}
		for j := range o {
			o[j] = T(float64(o[j]) / sum)
		}
	}
	return 0, nil
}

// softmaxGradRows writes dx = y ⊙ (g − Σ g⊙y) for in = {y, g}.
func softmaxGradRows[T float32 | float64](in [][]T, _ T, rows, cols int, out []T) (T, error) {
	y, g := in[0], in[1]
	for i := 0; i < rows; i++ {
		lo, hi := i*cols, (i+1)*cols
		var dot float64
		for j := lo; j < hi; j++ {
			dot += float64(g[j]) * float64(y[j])
		}
		for j := lo; j < hi; j++ {
			out[j] = T(float64(y[j]) * (float64(g[j]) - dot))
		}
	}
	return 0, nil
}

// rowMax returns the largest value of row i, or an error naming the row if
// it holds a NaN or an infinity (whose softmax is undefined).
func rowMax[T float32 | float64](row []T, i int) (float64, error) {
	m := math.Inf(-1)
	for j, v := range row {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, errors.Errorf("row %d, column %d holds %v", i, j, f)
		}
		if f > m {
			m = f
		}
	}
	return m, nil
}
