package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape returns x, a (batch, …) node, viewed as a (batch, shape…) node,
// as Keras's Reshape(target_shape) does: shape is the shape of one sample,
// the batch axis is kept, and the values keep their row-major order. One
// entry of shape may be −1, which stands for whatever size makes the
// sample sizes agree (as in Keras). A node already of shape (batch,
// shape…) is returned as is.
//
// Like Flatten, the result shares x's memory: no value is copied, and the
// op keeps the header from run to run. The gradient is the incoming
// gradient viewed back in x's shape, sharing its memory the same way.
//
// A nil node, a scalar, a node with an empty axis, a type other than
// float32 or float64, an entry of shape that is 0 or below −1, more than one −1, or
// a shape whose sample size differs from x's (x's shape without its batch
// axis) is an error naming both shapes.
func Reshape(x *G.Node, shape ...int) (*G.Node, error) {
	if err := checkFloatNode("Reshape input", x, 0, ""); err != nil {
		return nil, err
	}
	xs := x.Shape()
	if x.IsScalar() || xs.Dims() < 1 {
		return nil, errors.Errorf("Reshape needs a (batch, …) node, got the scalar %v", x.Name())
	}
	if xs.TotalSize() < 1 {
		return nil, errors.Errorf("Reshape: input shape %v is empty", xs)
	}
	batch := xs[0]
	sample := xs.TotalSize() / batch
	to := append(tensor.Shape{batch}, shape...)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d == -1:
			return nil, errors.Errorf("Reshape: target shape %v has more than one −1 (input shape %v)", shape, xs)
		case d < 1:
			return nil, errors.Errorf("Reshape: target shape %v has size %d at %d; sizes must be at least 1, or −1 once (input shape %v)", shape, d, i, xs)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if sample%known != 0 {
			return nil, errors.Errorf("Reshape: cannot view input of shape %v, %d values a sample, as (batch, %v): %d is not a multiple of %d", xs, sample, shape, sample, known)
		}
		to[1+infer] = sample / known
		known = sample
	}
	if known != sample {
		return nil, errors.Errorf("Reshape: cannot view input of shape %v, %d values a sample, as %v, %d values a sample", xs, sample, to, known)
	}
	if shapeIs(to, xs...) {
		return x, nil
	}
	y, err := G.ApplyOp(newView("Reshape", xs.Clone(), to), x)
	return y, errors.Wrap(err, "Reshape")
}
