package naive

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ReLU returns max(x, 0) element by element for a matrix x.
func ReLU(x *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.ReLU", "x", x, 2)
	if err != nil {
		return nil, err
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	z := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			z[i*cols+j] = max(xs[i*cols+j], 0)
		}
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(z)), nil
}

// Add returns x + y element by element for matrices of one shape.
func Add(x, y *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.Add", "x", x, 2)
	if err != nil {
		return nil, err
	}
	ys, err := values("naive.Add", "y", y, 2)
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(y.Shape()) {
		return nil, errors.Errorf("naive.Add: x has shape %v but y has %v", x.Shape(), y.Shape())
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	z := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			z[i*cols+j] = xs[i*cols+j] + ys[i*cols+j]
		}
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(z)), nil
}

// AddMatrixAndVector returns x + y with the vector y broadcast over
// every row of the matrix x: z[i, j] = x[i, j] + y[j].
func AddMatrixAndVector(x, y *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.AddMatrixAndVector", "x", x, 2)
	if err != nil {
		return nil, err
	}
	ys, err := values("naive.AddMatrixAndVector", "y", y, 1)
	if err != nil {
		return nil, err
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	if y.Shape()[0] != cols {
		return nil, errors.Errorf("naive.AddMatrixAndVector: x has %d columns but y has %d elements", cols, y.Shape()[0])
	}
	z := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			z[i*cols+j] = xs[i*cols+j] + ys[j]
		}
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(z)), nil
}

// VectorDot returns Σᵢ x[i]·y[i] for vectors of one length.
func VectorDot(x, y *tensor.Dense) (float64, error) {
	xs, err := values("naive.VectorDot", "x", x, 1)
	if err != nil {
		return 0, err
	}
	ys, err := values("naive.VectorDot", "y", y, 1)
	if err != nil {
		return 0, err
	}
	if len(xs) != len(ys) {
		return 0, errors.Errorf("naive.VectorDot: x has %d elements but y has %d", len(xs), len(ys))
	}
	var z float64
	for i := range xs {
		z += xs[i] * ys[i]
	}
	return z, nil
}

// MatrixVectorDot returns the vector z[i] = Σⱼ x[i, j]·y[j].
func MatrixVectorDot(x, y *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.MatrixVectorDot", "x", x, 2)
	if err != nil {
		return nil, err
	}
	ys, err := values("naive.MatrixVectorDot", "y", y, 1)
	if err != nil {
		return nil, err
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	if len(ys) != cols {
		return nil, errors.Errorf("naive.MatrixVectorDot: x has %d columns but y has %d elements", cols, len(ys))
	}
	z := make([]float64, rows)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			z[i] += xs[i*cols+j] * ys[j]
		}
	}
	return tensor.New(tensor.WithShape(rows), tensor.WithBacking(z)), nil
}

// MatrixDot returns the matrix product z[i, j] = Σₖ x[i, k]·y[k, j]:
// each entry is the dot product of a row of x and a column of y.
func MatrixDot(x, y *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.MatrixDot", "x", x, 2)
	if err != nil {
		return nil, err
	}
	ys, err := values("naive.MatrixDot", "y", y, 2)
	if err != nil {
		return nil, err
	}
	n, inner, m := x.Shape()[0], x.Shape()[1], y.Shape()[1]
	if y.Shape()[0] != inner {
		return nil, errors.Errorf("naive.MatrixDot: x has %d columns but y has %d rows", inner, y.Shape()[0])
	}
	z := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float64
			for k := 0; k < inner; k++ {
				s += xs[i*inner+k] * ys[k*m+j]
			}
			z[i*m+j] = s
		}
	}
	return tensor.New(tensor.WithShape(n, m), tensor.WithBacking(z)), nil
}

// Reshape returns x's elements, in row-major order, under a new
// shape holding as many elements. One dimension may be -1, as in numpy,
// and is then inferred.
func Reshape(x *tensor.Dense, shape ...int) (*tensor.Dense, error) {
	xs, err := values("naive.Reshape", "x", x, -1)
	if err != nil {
		return nil, err
	}
	shape = append([]int(nil), shape...)
	known, free := 1, -1
	for i, d := range shape {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return nil, errors.Errorf("naive.Reshape: dimension %d is %d", i, d)
		default:
			known *= d
		}
	}
	if free >= 0 && known > 0 && len(xs)%known == 0 {
		shape[free] = len(xs) / known
		known *= shape[free]
	}
	if known != len(xs) {
		return nil, errors.Errorf("naive.Reshape: cannot put the %d elements of shape %v into shape %v", len(xs), x.Shape(), shape)
	}
	// Row-major order is kept: element i of x is element i of the result;
	// only the shape that reads it changes.
	z := make([]float64, len(xs))
	copy(z, xs)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(z)), nil
}

// Transpose returns x with its axes reversed, as numpy's
// transpose(x) does: for a matrix z[j, i] = x[i, j]; for shape (a, b, c)
// the result has shape (c, b, a) and z[k, j, i] = x[i, j, k].
func Transpose(x *tensor.Dense) (*tensor.Dense, error) {
	xs, err := values("naive.Transpose", "x", x, -1)
	if err != nil {
		return nil, err
	}
	in := []int(x.Shape())
	n := len(in)
	out := make([]int, n)
	for i := range in {
		out[i] = in[n-1-i]
	}
	// Walk x in row-major order with an index counter idx; the element at
	// idx goes to the reversed index in z.
	outStride := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		outStride[i] = s
		s *= out[i]
	}
	z := make([]float64, len(xs))
	idx := make([]int, n)
	for flat := range xs {
		o := 0
		for a := 0; a < n; a++ {
			o += idx[a] * outStride[n-1-a]
		}
		z[o] = xs[flat]
		for a := n - 1; a >= 0; a-- { // advance the counter
			idx[a]++
			if idx[a] < in[a] {
				break
			}
			idx[a] = 0
		}
	}
	return tensor.New(tensor.WithShape(out...), tensor.WithBacking(z)), nil
}

// values returns t's float64 elements, checking its rank (any if dims<0).
func values(fn, name string, t *tensor.Dense, dims int) ([]float64, error) {
	if t == nil {
		return nil, errors.Errorf("%s: %s is nil", fn, name)
	}
	if dims >= 0 && t.Dims() != dims {
		return nil, errors.Errorf("%s: %s must have %d axes, got shape %v", fn, name, dims, t.Shape())
	}
	if t.IsView() {
		t = t.Materialize().(*tensor.Dense)
	}
	d, ok := t.Data().([]float64)
	if !ok {
		return nil, errors.Errorf("%s: %s must hold float64, got %v", fn, name, t.Dtype())
	}
	return d, nil
}
