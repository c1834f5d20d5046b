package train

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// fiveSamples is 5 samples of 2×2 images and 3 classes, rows 1, 3 and 4
// wrong: row 3 with 0.9, rows 1 and 4 with 0.6 each.
func fiveSamples(shape ...int) (x, y, p *tensor.Dense) {
	xs := make([]float32, 5*4)
	for i := range xs {
		xs[i] = float32(i) / 20
	}
	if len(shape) == 0 {
		shape = []int{5, 2, 2, 1}
	}
	x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs))
	y = dense32(5, 3,
		1, 0, 0,
		0, 1, 0,
		0, 0, 1,
		1, 0, 0,
		0, 0, 1,
	)
	p = dense32(5, 3,
		0.8, 0.1, 0.1, // right
		0.6, 0.3, 0.1, // 1 → 0 at 0.6
		0.1, 0.1, 0.8, // right
		0.05, 0.9, 0.05, // 0 → 1 at 0.9
		0.2, 0.6, 0.2, // 2 → 1 at 0.6
	)
	return x, y, p
}

func TestFindMistakes(t *testing.T) {
	want := []Mistake{
		{Index: 3, True: 0, Predicted: 1, Probability: float64(float32(0.9))},
		{Index: 1, True: 1, Predicted: 0, Probability: float64(float32(0.6))},
		{Index: 4, True: 2, Predicted: 1, Probability: float64(float32(0.6))},
	}
	for _, shape := range [][]int{{5, 2, 2, 1}, {5, 2, 2}, {5, 4}} {
		x, y, p := fiveSamples(shape...)
		xs := x.Data().([]float32)
		for _, n := range []int{1, 2, 3, 10} {
			ms, err := FindMistakes(x, y, p, n)
			if err != nil {
				t.Fatalf("shape %v: %v", shape, err)
			}
			if len(ms) != min(n, 3) {
				t.Fatalf("shape %v, n %d: %d mistakes, want %d", shape, n, len(ms), min(n, 3))
			}
			for i, m := range ms {
				w := want[i]
				w.Height, w.Width = 2, 2
				w.Image = xs[w.Index*4 : w.Index*4+4]
				if !reflect.DeepEqual(m, w) {
					t.Errorf("shape %v, n %d, mistake %d: %+v, want %+v", shape, n, i, m, w)
				}
			}
		}
	}
	// The images are copies.
	x, y, p := fiveSamples()
	ms, err := FindMistakes(x, y, p, 3)
	if err != nil {
		t.Fatal(err)
	}
	x.Data().([]float32)[3*4] = 99
	if ms[0].Image[0] == 99 {
		t.Error("a mistake's image aliases x")
	}
}

func TestFindMistakesImageShapes(t *testing.T) {
	y, p := dense32(2, 2, 1, 0, 1, 0), dense32(2, 2, 0.4, 0.6, 0.3, 0.7)
	x := make([]float32, 2*6)
	for i := range x {
		x[i] = float32(i)
	}
	ms, err := FindMistakes(tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking(x)), y, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Height != 2 || ms[0].Width != 3 || ms[0].Index != 1 || !reflect.DeepEqual(ms[0].Image, x[6:]) {
		t.Errorf("2×3 images: %+v", ms)
	}
	// float64 x is converted.
	x64 := make([]float64, 2*9)
	x64[9] = 0.5
	ms, err = FindMistakes(tensor.New(tensor.WithShape(2, 9), tensor.WithBacking(x64)), y, p, 1)
	if err != nil || len(ms) != 1 || ms[0].Height != 3 || ms[0].Width != 3 || ms[0].Image[0] != 0.5 {
		t.Errorf("float64 x: %+v, %v", ms, err)
	}
}

func TestFindMistakesNone(t *testing.T) {
	x, y, _ := fiveSamples()
	ms, err := FindMistakes(x, y, y, 5)
	if err != nil || ms == nil || len(ms) != 0 {
		t.Errorf("no mistakes: %v, %v; want an empty slice", ms, err)
	}
}

func TestFindMistakesErrors(t *testing.T) {
	x, y, p := fiveSamples()
	nanX := x.Clone().(*tensor.Dense)
	nanX.Data().([]float32)[9] = float32(math.NaN())
	for _, c := range []struct {
		name    string
		x, y, p *tensor.Dense
		n       int
		want    string
	}{
		{"n zero", x, y, p, 0, "n is 0"},
		{"n negative", x, y, p, -2, "n is -2"},
		{"nil x", nil, y, p, 1, "x is nil"},
		{"nil y", x, nil, p, 1, "y is nil"},
		{"nil predictions", x, y, nil, 1, "predictions is nil"},
		{"not a square", tensor.New(tensor.WithShape(5, 5), tensor.WithBacking(make([]float32, 25))), y, p, 1, "x has shape (5, 5)"},
		{"three channels", tensor.New(tensor.WithShape(5, 2, 2, 3), tensor.WithBacking(make([]float32, 60))), y, p, 1, "x has shape (5, 2, 2, 3)"},
		{"rank 1", tensor.New(tensor.WithShape(5), tensor.WithBacking(make([]float32, 5))), y, p, 1, "x has shape (5)"},
		{"rank 5", tensor.New(tensor.WithShape(5, 1, 2, 2, 1), tensor.WithBacking(make([]float32, 20))), y, p, 1, "x has shape (5, 1, 2, 2, 1)"},
		{"empty images", tensor.New(tensor.WithShape(5, 0), tensor.WithBacking(make([]float32, 0))), y, p, 1, "x has shape (5, 0)"},
		{"rows differ", tensor.New(tensor.WithShape(4, 4), tensor.WithBacking(make([]float32, 16))), y, p, 1, "x has 4 rows but y has 5"},
		{"int x", tensor.New(tensor.WithShape(5, 4), tensor.WithBacking(make([]int, 20))), y, p, 1, "x has element type int"},
		{"NaN in x", nanX, y, p, 1, "x holds NaN at row 2"},
		{"bad predictions", x, y, dense32(5, 2, make([]float32, 10)...), 1, "y has 3 classes (columns) but predictions has 2"},
	} {
		ms, err := FindMistakes(c.x, c.y, c.p, c.n)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "find mistakes: ") {
			t.Errorf("%s: %v, %v; want an error containing %q", c.name, ms, err, c.want)
		}
	}
}
