package train

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ToCategorical is Keras's to_categorical: it turns (rows) class indices
// of any integer or float type into (rows, classes) float32 one-hot rows.
// An index outside [0, classes) or with a fractional part is an error
// naming its row; classes must be positive.
func ToCategorical(labels *tensor.Dense, classes int) (*tensor.Dense, error) {
	if classes <= 0 {
		return nil, errors.Errorf("ToCategorical: classes must be positive, got %d", classes)
	}
	if _, err := rowsOf("labels", labels, 1); err != nil {
		return nil, errors.Wrap(err, "ToCategorical")
	}
	l, err := floats("labels", labels, 1)
	if err != nil {
		return nil, errors.Wrap(err, "ToCategorical")
	}
	hot, err := oneHot(l, classes)
	if err != nil {
		return nil, errors.Wrap(err, "ToCategorical")
	}
	return tensor.New(tensor.WithShape(len(l), classes), tensor.WithBacking(hot)), nil
}
