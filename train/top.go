package train

import (
	"cmp"
	"math"
	"slices"

	"github.com/pkg/errors"
)

// Class is one class of a classifier's answer and the probability the
// classifier gives it.
type Class struct {
	Class       int     `json:"class"`
	Probability float64 `json:"probability"`
}

// Top returns the k most probable classes of one row of a classifier's
// output (a row of Predict's result), most probable first; classes of
// equal probability come in index order, as argmax breaks ties. k larger
// than the row gives every class. An empty row, k < 1 or a NaN in the row
// is an error.
func Top(row []float32, k int) ([]Class, error) {
	if len(row) == 0 {
		return nil, errors.New("top: empty row")
	}
	if k < 1 {
		return nil, errors.Errorf("top: k is %d; want at least 1", k)
	}
	cs := make([]Class, len(row))
	for i, p := range row {
		if math.IsNaN(float64(p)) {
			return nil, errors.Errorf("top: the value of class %d is NaN", i)
		}
		cs[i] = Class{i, float64(p)}
	}
	slices.SortStableFunc(cs, func(a, b Class) int { return cmp.Compare(b.Probability, a.Probability) })
	return cs[:min(k, len(cs))], nil
}
