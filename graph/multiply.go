package graph

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Multiply returns the element-wise product x₀ ⊙ x₁ ⊙ … of two or more
// nodes of exactly the same shape (any rank) and type, float32 or
// float64, as Keras's Multiply layer computes it (without broadcasting).
// The product is taken in the order of the inputs, into a buffer the node
// keeps from run to run.
//
// Input i's gradient is the incoming gradient times the product of the
// other inputs, g ⊙ Πⱼ≠ᵢ xⱼ, computed directly (not as y/xᵢ, so a zero
// input is no trouble): one op per input, each reading g and the inputs.
// A node passed more than once gets one gradient per time, which
// Gorgonia adds up: Multiply(x, x) gives x the gradient 2·g⊙x.
//
// Fewer than two inputs, a nil node, a scalar, a type other than float32
// or float64, or inputs whose shapes or types differ is an error naming
// the input and the shapes.
func Multiply(xs ...*G.Node) (*G.Node, error) {
	if err := checkSameTensors("Multiply", xs); err != nil {
		return nil, err
	}
	op := newNary(fmt.Sprintf("Multiply(%d inputs)", len(xs)), len(xs), xs[0].Dims(), true, -1)
	y, err := G.ApplyOp(op, xs...)
	return y, errors.Wrap(err, "Multiply")
}
