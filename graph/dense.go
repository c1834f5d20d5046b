package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense returns x·w + b: the matrix product of the (batch, in) input x and
// the (in, out) kernel w, with the bias b added to every row by
// broadcasting. b is a (1, out) matrix: a bias vector of length out
// viewed as one row (train binds it so, sharing the vector's memory).
// Mismatched shapes or element types are an error naming both shapes.
func Dense(x, w, b *G.Node) (*G.Node, error) {
	if err := checkMatrix("Dense input", x); err != nil {
		return nil, err
	}
	if err := checkMatrix("Dense kernel", w); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errors.New("Dense: nil bias")
	}
	in, out := w.Shape()[0], w.Shape()[1]
	if x.Shape()[1] != in {
		return nil, errors.Errorf("Dense: input has %d features (shape %v) but the kernel expects %d (shape %v)", x.Shape()[1], x.Shape(), in, w.Shape())
	}
	if x.Dtype() != w.Dtype() || b.Dtype() != w.Dtype() {
		return nil, errors.Errorf("Dense: input, kernel and bias types differ: %v, %v, %v", x.Dtype(), w.Dtype(), b.Dtype())
	}
	if !b.Shape().Eq(tensor.Shape{1, out}) {
		return nil, errors.Errorf("Dense: bias has shape %v, want (1, %d)", b.Shape(), out)
	}
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, errors.Wrap(err, "Dense: x·w")
	}
	y, err := G.BroadcastAdd(xw, b, nil, []byte{0})
	if err != nil {
		return nil, errors.Wrap(err, "Dense: adding the bias")
	}
	return y, nil
}
