package graph

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Add returns the element-wise sum x₀ + x₁ + … of two or more nodes of
// exactly the same shape (any rank) and type, float32 or float64, as
// Keras's Add layer computes it (without broadcasting). The sum is taken
// in the order of the inputs, into a buffer the node keeps from run to
// run. Each input's gradient is the incoming gradient itself; a node
// passed more than once gets it once per time.
//
// Fewer than two inputs, a nil node, a scalar, a type other than float32
// or float64, or inputs whose shapes or types differ (a (1, n) matrix and
// an (n) vector differ) is an error naming the input and the shapes.
func Add(xs ...*G.Node) (*G.Node, error) {
	if err := checkSameTensors("Add", xs); err != nil {
		return nil, err
	}
	op := newNary(fmt.Sprintf("Add(%d inputs)", len(xs)), len(xs), xs[0].Dims(), false, -1)
	y, err := G.ApplyOp(op, xs...)
	return y, errors.Wrap(err, "Add")
}
