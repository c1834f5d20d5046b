package train

import (
	"bytes"
	"image/png"
	"io"
	"math"
	"path/filepath"
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

// fakeMistakes returns n mistakes of h×w images: image i is all white
// but for its top-left pixel, black.
func fakeMistakes(n, h, w int) []Mistake {
	ms := make([]Mistake, n)
	for i := range ms {
		img := make([]float32, h*w)
		img[0] = 1
		ms[i] = Mistake{Index: 100 + i, True: i % 10, Predicted: (i + 1) % 10, Probability: 0.9, Image: img, Height: h, Width: w}
	}
	return ms
}

func TestWriteMistakesPNGSize(t *testing.T) {
	for _, c := range []struct {
		n, h, w       int
		width, height int // by the documented formula
	}{
		{1, 28, 28, 136, 160},
		{4, 28, 28, 4 * 136, 160},
		{6, 28, 28, 6 * 136, 160},
		{7, 28, 28, 6 * 136, 2 * 160},
		{36, 28, 28, 816, 960},
		{2, 8, 8, 2 * (14*8 + 24), 14*8 + 48}, // small images: zoom 14
		{3, 2, 3, 3 * (38*3 + 24), 38*2 + 48}, // s = max(4, ⌈112/3⌉)
		{1, 40, 40, 4*40 + 24, 4*40 + 48},     // at least 4×
	} {
		var buf bytes.Buffer
		if err := WriteMistakesPNG(&buf, fakeMistakes(c.n, c.h, c.w)); err != nil {
			t.Fatalf("%d of %d×%d: %v", c.n, c.h, c.w, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != c.width || b.Dy() != c.height {
			t.Errorf("%d of %d×%d: %d×%d, want %d×%d", c.n, c.h, c.w, b.Dx(), b.Dy(), c.width, c.height)
		}
		if w, h := mistakesPNGSize(c.n, c.h, c.w); w != c.width || h != c.height {
			t.Errorf("mistakesPNGSize(%d, %d, %d) = %d×%d, want %d×%d", c.n, c.h, c.w, w, h, c.width, c.height)
		}
	}
}

// The digits are upscaled by whole pixels, nearest-neighbour: the black
// pixel of a 28×28 image is a sharp 4×4 block at the image's corner.
func TestWriteMistakesPNGPixels(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMistakesPNG(&buf, fakeMistakes(2, 28, 28)); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	grey := func(x, y int) uint32 {
		r, g, b, _ := img.At(x, y).RGBA()
		if r != g || g != b {
			t.Fatalf("pixel (%d, %d) is not grey", x, y)
		}
		return r >> 8
	}
	for _, cell := range []int{0, 136} { // the second image's cell starts 136 px right
		x0, y0 := cell+12, 6
		for dy := range 4 {
			for dx := range 4 {
				if g := grey(x0+dx, y0+dy); g != 0 {
					t.Errorf("cell at %d: pixel (%d, %d) is %d, want black", cell, dx, dy, g)
				}
			}
		}
		if g := grey(x0+4, y0); g != 255 {
			t.Errorf("cell at %d: the pixel right of the block is %d, want white", cell, g)
		}
		if g := grey(x0, y0+4); g != 255 {
			t.Errorf("cell at %d: the pixel under the block is %d, want white", cell, g)
		}
	}
}

func TestWriteMistakesPNGErrors(t *testing.T) {
	short := fakeMistakes(3, 28, 28)
	short[1].Image = short[1].Image[:10]
	mixed := append(fakeMistakes(2, 28, 28), fakeMistakes(1, 20, 20)...)
	zero := fakeMistakes(1, 28, 28)
	zero[0].Height = 0
	for _, c := range []struct {
		name string
		w    io.Writer
		ms   []Mistake
		want string
	}{
		{"none", io.Discard, nil, "no mistakes"},
		{"short image", io.Discard, short, "mistake 1 (row 101) has 10 values for a 28×28 image"},
		{"mixed sizes", io.Discard, mixed, "mistake 2 (row 100) is 20×20"},
		{"zero height", io.Discard, zero, "0×28 image"},
		{"too many", io.Discard, fakeMistakes(400, 28, 28), "above 10000 pixels a side"},
		{"nil writer", nil, fakeMistakes(1, 28, 28), "nil writer"},
		{"huge sides", io.Discard, []Mistake{{Height: 1 << 62, Width: 4}}, "has 0 values for a 4611686018427387904×4 image"},
	} {
		err := WriteMistakesPNG(c.w, c.ms)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestSaveMistakesPNG(t *testing.T) {
	ms := fakeMistakes(8, 28, 28)
	path := filepath.Join(t.TempDir(), "mistakes.png")
	if err := SaveMistakesPNG(path, ms); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, path, 816, 320)
	checkSaveFails(t, func(p string) error { return SaveMistakesPNG(p, ms) })
}
