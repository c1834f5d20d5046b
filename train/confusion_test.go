package train

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func dense32(rows, cols int, v ...float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

// threeClasses is 7 samples of 3 classes, with ties in predictions and
// one in y, and the confusion matrix they make by hand.
func threeClasses() (y, p *tensor.Dense, want [][]int) {
	y = dense32(7, 3,
		1, 0, 0,
		1, 0, 0,
		0.5, 0.5, 0, // a tie: class 0
		0, 1, 0,
		0, 1, 0,
		0, 0, 1,
		0, 0, 1,
	)
	p = dense32(7, 3,
		0.7, 0.2, 0.1, // 0 → 0
		0.3, 0.6, 0.1, // 0 → 1
		0.5, 0.5, 0, // 0 → 0, a tie
		0.1, 0.8, 0.1, // 1 → 1
		0, 0.5, 0.5, // 1 → 1, a tie
		0.4, 0.2, 0.4, // 2 → 0, a tie
		0.1, 0.1, 0.8, // 2 → 2
	)
	return y, p, [][]int{{2, 1, 0}, {0, 2, 0}, {1, 0, 1}}
}

func TestConfusionMatrixByHand(t *testing.T) {
	y, p, want := threeClasses()
	m, err := NewConfusionMatrix(y, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Counts, want) {
		t.Errorf("counts %v, want %v", m.Counts, want)
	}
	if m.Classes() != 3 || m.Total() != 7 || m.Correct() != 5 || m.Accuracy() != 5.0/7 {
		t.Errorf("classes %d total %d correct %d accuracy %v; want 3 7 5 %v", m.Classes(), m.Total(), m.Correct(), m.Accuracy(), 5.0/7)
	}
	wantString := "" +
		"true\\pred   0   1   2  total\n" +
		"        0   2   1   0      3\n" +
		"        1   0   2   0      2\n" +
		"        2   1   0   1      2\n" +
		"    total   3   3   1      7\n" +
		"accuracy 0.7143 (5 of 7)\n"
	if s := m.String(); s != wantString {
		t.Errorf("String():\n%s\nwant:\n%s", s, wantString)
	}
	// float64 tensors give the same matrix.
	m64, err := NewConfusionMatrix(to64(y), to64(p))
	if err != nil || !reflect.DeepEqual(m64.Counts, want) {
		t.Errorf("float64: %v, %v", m64, err)
	}
}

func to64(t *tensor.Dense) *tensor.Dense {
	d := t.Data().([]float32)
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out))
}

func TestConfusionMatrixStringFitsATerminal(t *testing.T) {
	m := &ConfusionMatrix{Counts: make([][]int, 10)}
	for i := range m.Counts {
		m.Counts[i] = make([]int, 10)
		for j := range m.Counts[i] {
			m.Counts[i][j] = 1 + (i*7+j*3)%9
		}
		m.Counts[i][i] = 9000 + i
	}
	s := m.String()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != 13 {
		t.Errorf("%d lines, want 13:\n%s", len(lines), s)
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
		if len(l) != len(lines[0]) && !strings.HasPrefix(l, "accuracy") {
			t.Errorf("ragged table:\n%s", s)
			break
		}
	}
	if !strings.HasSuffix(lines[1], " 9000") && !strings.Contains(lines[1], " 9000 ") {
		t.Errorf("row 0 %q lacks its diagonal count", lines[1])
	}
}

func TestConfusionMatrixErrors(t *testing.T) {
	y, p, _ := threeClasses()
	ints := tensor.New(tensor.WithShape(7, 3), tensor.WithBacking(make([]int, 21)))
	nanP := p.Clone().(*tensor.Dense)
	nanP.Data().([]float32)[2*3+1] = float32(math.NaN())
	zeroY := y.Clone().(*tensor.Dense)
	copy(zeroY.Data().([]float32)[4*3:], []float32{0, 0, 0})
	nanY := y.Clone().(*tensor.Dense)
	nanY.Data().([]float32)[5*3] = float32(math.NaN())
	for _, c := range []struct {
		name string
		y, p *tensor.Dense
		want string
	}{
		{"nil y", nil, p, "y is nil"},
		{"nil predictions", y, nil, "predictions is nil"},
		{"rank 1 y", tensor.New(tensor.WithShape(7), tensor.WithBacking(make([]float32, 7))), p, "y has shape (7)"},
		{"rank 3 predictions", y, tensor.New(tensor.WithShape(7, 3, 1), tensor.WithBacking(make([]float32, 21))), "predictions has shape (7, 3, 1)"},
		{"rows differ", y, dense32(6, 3, make([]float32, 18)...), "y has 7 rows but predictions has 6"},
		{"columns differ", y, dense32(7, 4, make([]float32, 28)...), "y has 3 classes (columns) but predictions has 4"},
		{"one class", dense32(2, 1, 1, 1), dense32(2, 1, 1, 1), "1 columns; want at least 2 classes"},
		{"int y", ints, p, "y has element type int"},
		{"int predictions", y, ints, "predictions has element type int"},
		{"NaN prediction", y, nanP, "predictions holds NaN at row 2"},
		{"all-zero y row", zeroY, p, "y row 4 has no entry above 0"},
		{"NaN in y", nanY, p, "y holds NaN at row 5"},
	} {
		m, err := NewConfusionMatrix(c.y, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "confusion matrix: ") {
			t.Errorf("%s: %v, %v; want an error containing %q", c.name, m, err, c.want)
		}
	}
}

// The key check: the matrix of a trained model's predictions counts
// every sample, by its label, and its accuracy is what Evaluate reports.
func TestConfusionMatrixMatchesEvaluate(t *testing.T) {
	x, y, labels := blobs(250, 4, 11)
	opt := RMSprop()
	opt.LearningRate = 0.02
	tr, err := Compile(newSoftmaxRegression(4, 3, 5), opt, CategoricalCrossentropy(), Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(x, y, Epochs(2), BatchSize(32), Seed(3), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	p, err := tr.Predict(x, Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	_, metrics, err := tr.Evaluate(x, y, BatchSize(32), Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewConfusionMatrix(y, p)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Correct(); c == 0 || c == m.Total() {
		t.Errorf("%d of %d right: want a matrix with right and wrong answers", c, m.Total())
	}
	if m.Total() != 250 {
		t.Errorf("total %d, want 250", m.Total())
	}
	perClass := make([]int, 3)
	for _, l := range labels {
		perClass[l]++
	}
	for c, row := range m.Counts {
		var n int
		for _, v := range row {
			n += v
		}
		if n != perClass[c] {
			t.Errorf("class %d: %d counted, %d in the data", c, n, perClass[c])
		}
	}
	// Evaluate sums whole hits per batch and divides by the row count, as
	// Accuracy() does; the tolerance only allows for rounding.
	if math.Abs(m.Accuracy()-metrics[0]) > 1e-9 {
		t.Errorf("matrix accuracy %v, Evaluate's %v\n%s", m.Accuracy(), metrics[0], m)
	}
}

func TestConfusionMatrixMethodsOnOddMatrices(t *testing.T) {
	var nilM *ConfusionMatrix
	if nilM.Classes() != 0 || nilM.Total() != 0 || nilM.Correct() != 0 || nilM.Accuracy() != 0 {
		t.Error("a nil matrix counts something")
	}
	empty := &ConfusionMatrix{Counts: [][]int{{0, 0}, {0, 0}}}
	if empty.Accuracy() != 0 {
		t.Errorf("accuracy of nothing %v, want 0", empty.Accuracy())
	}
	for _, c := range []struct {
		m    *ConfusionMatrix
		want string
	}{
		{nil, "0 classes"},
		{&ConfusionMatrix{Counts: [][]int{{1}}}, "1 classes"},
		{&ConfusionMatrix{Counts: [][]int{{1, 2}, {3}}}, "row 1 has 1 counts for 2 classes"},
		{&ConfusionMatrix{Counts: [][]int{{1, 2}, {3, -4}}}, "count [1][1] is negative"},
	} {
		if s := c.m.String(); !strings.HasPrefix(s, "invalid confusion matrix: ") || !strings.Contains(s, c.want) {
			t.Errorf("String() of %v: %q, want it to say %q", c.m, s, c.want)
		}
		if err := c.m.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check of %v: %v, want an error saying %q", c.m, err, c.want)
		}
	}
	// What NewConfusionMatrix makes passes.
	y, p, _ := threeClasses()
	m, err := NewConfusionMatrix(y, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(); err != nil {
		t.Errorf("Check of %v: %v", m, err)
	}
}
