package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// MeanSquaredError returns the scalar mean of (p − t)² over the last axis,
// then over the batch, as Keras's mean_squared_error does. p and t must
// have the same 2-D shape and type.
func MeanSquaredError(pred, target *G.Node) (*G.Node, error) {
	if err := checkSame("MeanSquaredError", pred, target); err != nil {
		return nil, err
	}
	// Subtract, not G.Sub: Gorgonia's tape machine may write G.Sub's
	// result into pred's buffer, which is another op's output when pred
	// is a view (Flatten, Reshape) and that op's gradient still reads it.
	d, err := Subtract(pred, target)
	if err != nil {
		return nil, errors.Wrap(err, "MeanSquaredError: p − t")
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, errors.Wrap(err, "MeanSquaredError: (p − t)²")
	}
	// Every row has the same width, so the mean over all elements equals
	// the mean over the last axis followed by the mean over the batch.
	m, err := G.Mean(sq)
	if err != nil {
		return nil, errors.Wrap(err, "MeanSquaredError: mean")
	}
	return m, nil
}
