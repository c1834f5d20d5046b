package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// floats returns t's values as float32, converting from any real type.
// It returns an error naming the first NaN or infinity, with its row.
func floats(what string, t *tensor.Dense, width int) ([]float32, error) {
	if t == nil {
		return nil, errors.Errorf("%s is nil", what)
	}
	if t.IsView() {
		t = t.Materialize().(*tensor.Dense)
	}
	var out []float32
	switch d := t.Data().(type) {
	case []float32:
		out = d
	case []float64:
		out = convert(d)
	case []uint8:
		out = convert(d)
	case []int:
		out = convert(d)
	case []int32:
		out = convert(d)
	case []int64:
		out = convert(d)
	default:
		return nil, errors.Errorf("%s has element type %v; want a real number type", what, t.Dtype())
	}
	for i, v := range out {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.Errorf("%s holds %v at row %d, column %d", what, v, i/width, i%width)
		}
	}
	return out, nil
}

func convert[T float64 | uint8 | int | int32 | int64](d []T) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

// rowsOf checks that t is (rows, width), or (rows) when width is 1, and
// returns the row count.
func rowsOf(what string, t *tensor.Dense, width int) (int, error) {
	if t == nil {
		return 0, errors.Errorf("%s is nil", what)
	}
	s := t.Shape()
	switch {
	case s.Dims() == 2 && s[1] == width:
		return s[0], nil
	case s.Dims() == 1 && width == 1:
		return s[0], nil
	case s.Dims() == 2:
		return 0, errors.Errorf("%s has %d features per row (shape %v), but the network expects %d", what, s[1], s, width)
	default:
		return 0, errors.Errorf("%s has shape %v; want (rows, %d)", what, s, width)
	}
}

// inputs validates x for a network whose samples have the given shape
// and returns its rows, flattened, as float32. x is (rows, shape...), or,
// for a shape that ends in one channel, (rows, shape without it): a
// (rows, 28, 28) stack of images feeds a network that takes (28, 28, 1).
func inputs(x *tensor.Dense, shape []int) ([]float32, int, error) {
	if x == nil {
		return nil, 0, errors.New("x is nil")
	}
	s := x.Shape()
	if s.Dims() == 0 || !(slices.Equal(s[1:], shape) || len(shape) > 1 && shape[len(shape)-1] == 1 && slices.Equal(s[1:], shape[:len(shape)-1])) {
		return nil, 0, errors.Errorf("x has shape %v; the network takes (rows, %s)%s", s, dimList(shape), flatHint(s, shape))
	}
	n := s[0]
	if n == 0 {
		return nil, 0, errors.New("x has no rows")
	}
	d, err := floats("x", x, size(shape))
	return d, n, err
}

// dimList writes a shape's dimensions as "28, 28, 1".
func dimList(shape []int) string {
	return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(shape)), ", "), "[]")
}

// flatHint suggests the reshape that makes x fit, when one does.
func flatHint(s tensor.Shape, shape []int) string {
	if s.Dims() > 1 && size(s[1:]) == size(shape) {
		return fmt.Sprintf(": reshape each sample's %d values to (%s)", size(shape), dimList(shape))
	}
	return ""
}

// dataset is validated inputs and targets.
type dataset struct {
	x, y []float32 // row-major (n, in) and (n, out)
	n    int
}

// newDataset validates x and y against the network and the loss.
func newDataset(net Network, loss Loss, x, y *tensor.Dense) (*dataset, error) {
	xs, n, err := inputs(x, net.InputShape())
	if err != nil {
		return nil, err
	}
	ys, err := loss.Targets(y, net.OutputWidth())
	if err != nil {
		return nil, err
	}
	if m := len(ys) / net.OutputWidth(); m != n {
		return nil, errors.Errorf("x has %d rows but y has %d", n, m)
	}
	return &dataset{x: xs, y: ys, n: n}, nil
}

// slice returns rows [lo, hi) as a dataset sharing memory.
func (d *dataset) slice(lo, hi, in, out int) *dataset {
	return &dataset{x: d.x[lo*in : hi*in], y: d.y[lo*out : hi*out], n: hi - lo}
}
