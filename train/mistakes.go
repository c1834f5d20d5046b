package train

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Mistake is one sample a classifier got wrong, as FindMistakes finds
// it; package plots draws a grid of them (plots.WriteMistakes).
type Mistake struct {
	Index           int       // row in x
	True, Predicted int       // classes, by argmax of y's and the prediction's row
	Probability     float64   // the prediction's value for Predicted
	Image           []float32 // Height×Width grey values in [0, 1], row-major
	Height, Width   int
}

// FindMistakes returns up to n of the samples whose predicted class
// differs from their true class, the most confident first (highest
// Probability; ties by Index), or an empty slice when there are none. y
// and predictions are as NewConfusionMatrix takes them, and the classes
// are taken the same way (argmax, the first on ties). x is (rows, h, w,
// 1), (rows, h, w) or (rows, h·w) with h·w a square (h = w), float32 or
// float64; each Mistake gets a copy of its row of x, as it is.
//
// Bad input is an error naming it: n ≤ 0, a shape of x other than those,
// x's rows differing from y's, an element type other than float32 or
// float64, a NaN or infinity in x, and whatever NewConfusionMatrix
// rejects in y and predictions.
func FindMistakes(x, y, predictions *tensor.Dense, n int) ([]Mistake, error) {
	if n <= 0 {
		return nil, errors.Errorf("find mistakes: n is %d; want at least 1", n)
	}
	c, err := classify(y, predictions)
	if err != nil {
		return nil, errors.Wrap(err, "find mistakes")
	}
	h, w, err := imageShape(x, c.rows)
	if err != nil {
		return nil, errors.Wrap(err, "find mistakes")
	}
	xs, err := floats("x", x, h*w)
	if err != nil {
		return nil, errors.Wrap(err, "find mistakes")
	}
	ms := []Mistake{}
	for r := range c.rows {
		if c.truth[r] != c.pred[r] {
			ms = append(ms, Mistake{
				Index: r, True: c.truth[r], Predicted: c.pred[r],
				Probability: float64(c.p[r*c.classes+c.pred[r]]),
				Height:      h, Width: w,
			})
		}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Probability != ms[j].Probability {
			return ms[i].Probability > ms[j].Probability
		}
		return ms[i].Index < ms[j].Index
	})
	ms = ms[:min(n, len(ms))]
	for i := range ms {
		r := ms[i].Index
		ms[i].Image = append([]float32(nil), xs[r*h*w:(r+1)*h*w]...)
	}
	return ms, nil
}

// imageShape returns the height and width of x's samples, which must be
// (rows, h, w, 1), (rows, h, w) or (rows, h·w) with h·w a square.
func imageShape(x *tensor.Dense, rows int) (h, w int, err error) {
	if x == nil {
		return 0, 0, errors.New("x is nil")
	}
	if d := x.Dtype(); d != tensor.Float32 && d != tensor.Float64 {
		return 0, 0, errors.Errorf("x has element type %v; want float32 or float64", d)
	}
	s := x.Shape()
	bad := errors.Errorf("x has shape %v; want (rows, h, w, 1), (rows, h, w) or (rows, h·w) with h·w a square", s)
	switch {
	case s.Dims() == 4 && s[3] == 1, s.Dims() == 3:
		h, w = s[1], s[2]
	case s.Dims() == 2:
		h = int(math.Round(math.Sqrt(float64(s[1]))))
		if h*h != s[1] {
			return 0, 0, bad
		}
		w = h
	default:
		return 0, 0, bad
	}
	if h <= 0 || w <= 0 {
		return 0, 0, bad
	}
	if s[0] != rows {
		return 0, 0, errors.Errorf("x has %d rows but y has %d", s[0], rows)
	}
	return h, w, nil
}
