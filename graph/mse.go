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
	d, err := G.Sub(pred, target)
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
