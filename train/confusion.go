package train

import (
	"fmt"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ConfusionMatrix counts a classifier's answers: Counts[t][p] is the
// number of samples of true class t predicted as p. The diagonal holds
// the right answers. Package plots draws it as a heat map
// (plots.WriteConfusion).
type ConfusionMatrix struct {
	Counts [][]int
}

// NewConfusionMatrix compares targets y (rows, classes), one-hot as Fit
// takes them, with predictions (rows, classes) as Predict returns them. A
// row's true class is the index of the largest entry of its y row, its
// predicted class that of its prediction row, the first one on ties, as
// the Accuracy metric decides: Accuracy() is what Evaluate reports for
// Accuracy on the same data.
//
// Bad input is an error naming what is wrong and where: a nil tensor, a
// rank other than 2, row or class counts that differ, no rows, fewer than
// 2 classes, an element type other than float32 or float64, a NaN or
// infinity in either tensor (with its row and column), and a y row that
// is no class indicator (no entry above 0: all zero, say).
func NewConfusionMatrix(y, predictions *tensor.Dense) (*ConfusionMatrix, error) {
	c, err := classify(y, predictions)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	m := &ConfusionMatrix{Counts: make([][]int, c.classes)}
	for i := range m.Counts {
		m.Counts[i] = make([]int, c.classes)
	}
	for r := range c.rows {
		m.Counts[c.truth[r]][c.pred[r]]++
	}
	return m, nil
}

// classified is a classifier's answers, checked: each row's true and
// predicted class, and the predictions, row-major.
type classified struct {
	rows, classes int
	truth, pred   []int
	p             []float32
}

// classify checks y and predictions (see NewConfusionMatrix) and takes
// each row's classes by argmax.
func classify(y, predictions *tensor.Dense) (*classified, error) {
	for _, t := range []struct {
		what string
		t    *tensor.Dense
	}{{"y", y}, {"predictions", predictions}} {
		if t.t == nil {
			return nil, errors.Errorf("%s is nil", t.what)
		}
		if s := t.t.Shape(); s.Dims() != 2 {
			return nil, errors.Errorf("%s has shape %v; want (rows, classes)", t.what, s)
		}
		if d := t.t.Dtype(); d != tensor.Float32 && d != tensor.Float64 {
			return nil, errors.Errorf("%s has element type %v; want float32 or float64", t.what, d)
		}
	}
	ys, ps := y.Shape(), predictions.Shape()
	switch {
	case ys[0] != ps[0]:
		return nil, errors.Errorf("y has %d rows but predictions has %d", ys[0], ps[0])
	case ys[1] != ps[1]:
		return nil, errors.Errorf("y has %d classes (columns) but predictions has %d", ys[1], ps[1])
	case ys[0] == 0:
		return nil, errors.New("no rows")
	case ys[1] < 2:
		return nil, errors.Errorf("%d columns; want at least 2 classes", ys[1])
	}
	c := &classified{rows: ys[0], classes: ys[1]}
	yv, err := floats("y", y, c.classes)
	if err != nil {
		return nil, err
	}
	if c.p, err = floats("predictions", predictions, c.classes); err != nil {
		return nil, err
	}
	c.truth, c.pred = make([]int, c.rows), make([]int, c.rows)
	for r := range c.rows {
		row := yv[r*c.classes : (r+1)*c.classes]
		t := argmax(row)
		if !(row[t] > 0) {
			return nil, errors.Errorf("y row %d has no entry above 0; want a one-hot class indicator", r)
		}
		c.truth[r] = t
		c.pred[r] = argmax(c.p[r*c.classes : (r+1)*c.classes])
	}
	return c, nil
}

// Classes returns the number of classes, len(m.Counts); 0 for a nil m.
func (m *ConfusionMatrix) Classes() int {
	if m == nil {
		return 0
	}
	return len(m.Counts)
}

// Total returns the number of samples counted, the sum of all counts; 0
// for a nil m.
func (m *ConfusionMatrix) Total() int {
	var n int
	for _, row := range m.rows() {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Correct returns the number of samples predicted right: the sum of the
// diagonal (of the cells that exist, should Counts be ragged); 0 for a
// nil m.
func (m *ConfusionMatrix) Correct() int {
	var n int
	for i, row := range m.rows() {
		if i < len(row) {
			n += row[i]
		}
	}
	return n
}

// Accuracy returns Correct()/Total(), the share of samples predicted
// right, or 0 when nothing is counted.
func (m *ConfusionMatrix) Accuracy() float64 {
	t := m.Total()
	if t == 0 {
		return 0
	}
	return float64(m.Correct()) / float64(t)
}

func (m *ConfusionMatrix) rows() [][]int {
	if m == nil {
		return nil
	}
	return m.Counts
}

// Check returns an error saying what is wrong unless m is square with at
// least 2 classes and no negative counts (a nil m has 0 classes). A
// matrix from NewConfusionMatrix passes; String and the pictures of
// package plots check a hand-made one with it.
func (m *ConfusionMatrix) Check() error {
	k := m.Classes()
	if k < 2 {
		return errors.Errorf("%d classes; want at least 2", k)
	}
	for i, row := range m.Counts {
		if len(row) != k {
			return errors.Errorf("row %d has %d counts for %d classes", i, len(row), k)
		}
		for j, v := range row {
			if v < 0 {
				return errors.Errorf("count [%d][%d] is negative (%d)", i, j, v)
			}
		}
	}
	return nil
}

// String returns m as a table for a terminal: a header of predicted
// classes, a line per true class with its counts and their total, a line
// of column totals, and a last line with the accuracy, all right-aligned
// in columns at least 3 wide. Ten classes with column totals up to 99,999
// fit in 80 columns. A malformed m (not square, fewer than 2 classes, a
// negative count) gives a line saying what is wrong.
func (m *ConfusionMatrix) String() string {
	if err := m.Check(); err != nil {
		return "invalid confusion matrix: " + err.Error()
	}
	k := m.Classes()
	rowTotal, colTotal := make([]int, k), make([]int, k)
	for i, row := range m.Counts {
		for j, v := range row {
			rowTotal[i] += v
			colTotal[j] += v
		}
	}
	total := m.Total()
	width := max(3, len(fmt.Sprint(k-1)))
	for _, v := range colTotal { // a column total is at least its counts
		width = max(width, len(fmt.Sprint(v)))
	}
	totalWidth := max(len("total"), len(fmt.Sprint(total)))
	const head = "true\\pred"
	var b strings.Builder
	line := func(label string, cells []int, sum int) {
		fmt.Fprintf(&b, "%*s", len(head), label)
		for _, v := range cells {
			fmt.Fprintf(&b, " %*d", width, v)
		}
		fmt.Fprintf(&b, "  %*d\n", totalWidth, sum)
	}
	b.WriteString(head)
	for j := range k {
		fmt.Fprintf(&b, " %*d", width, j)
	}
	fmt.Fprintf(&b, "  %*s\n", totalWidth, "total")
	for i, row := range m.Counts {
		line(fmt.Sprint(i), row, rowTotal[i])
	}
	line("total", colTotal, total)
	fmt.Fprintf(&b, "accuracy %.4f (%d of %d)\n", m.Accuracy(), m.Correct(), total)
	return b.String()
}
