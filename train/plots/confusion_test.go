package plots

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

func dense32(rows, cols int, v ...float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

// threeClasses is 7 samples of 3 classes, with ties in predictions and
// one in y: the matrix they make is {{2, 1, 0}, {0, 2, 0}, {1, 0, 1}}.
func threeClasses() (y, p *tensor.Dense) {
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
	return y, p
}

// TestWriteConfusionOddMatrices: a malformed matrix is an error saying
// what is wrong, as String says it.
func TestWriteConfusionOddMatrices(t *testing.T) {
	for _, c := range []struct {
		m    *train.ConfusionMatrix
		want string
	}{
		{nil, "0 classes"},
		{&train.ConfusionMatrix{Counts: [][]int{{1}}}, "1 classes"},
		{&train.ConfusionMatrix{Counts: [][]int{{1, 2}, {3}}}, "row 1 has 1 counts for 2 classes"},
		{&train.ConfusionMatrix{Counts: [][]int{{1, 2}, {3, -4}}}, "count [1][1] is negative"},
	} {
		err := WriteConfusion(io.Discard, c.m, 300, 300)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("WriteConfusion of %v: %v, want an error saying %q", c.m, err, c.want)
		}
	}
}

func TestWriteConfusion(t *testing.T) {
	y, p := threeClasses()
	m, err := train.NewConfusionMatrix(y, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{800, 700}, {300, 300}, {1000, 400}} {
		var buf bytes.Buffer
		if err := WriteConfusion(&buf, m, size[0], size[1]); err != nil {
			t.Fatal(err)
		}
		if w, h := pngSize(t, buf.Bytes()); w != size[0] || h != size[1] {
			t.Errorf("asked for %v, got %d×%d", size, w, h)
		}
	}
	for _, c := range []struct {
		w    io.Writer
		x, y int
		want string
	}{
		{io.Discard, 0, 100, "size 0×100"},
		{io.Discard, 100, -1, "size 100×-1"},
		{io.Discard, 20000, 100, "1..10000"},
		{nil, 100, 100, "nil writer"},
	} {
		if err := WriteConfusion(c.w, m, c.x, c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("WriteConfusion(%v, m, %d, %d): %v, want %q", c.w, c.x, c.y, err, c.want)
		}
	}
	// A hundred classes draw too (their counts too small to write).
	big := &train.ConfusionMatrix{Counts: make([][]int, 100)}
	for i := range big.Counts {
		big.Counts[i] = make([]int, 100)
		big.Counts[i][i] = 50
		big.Counts[i][(i+1)%100] = 3
	}
	if err := WriteConfusion(io.Discard, big, 800, 700); err != nil {
		t.Error(err)
	}
	if n := len(classTicks(100)); n > 21 {
		t.Errorf("%d tick labels for 100 classes", n)
	}
	if n := len(classTicks(10)); n != 10 {
		t.Errorf("%d tick labels for 10 classes, want 10", n)
	}
}

func TestConfusionColours(t *testing.T) {
	white := heatColour(0, 1000)
	if white.R != 255 || white.G != 255 || white.B != 255 {
		t.Errorf("0 is %v, want white", white)
	}
	lum := func(c interface{ RGBA() (r, g, b, a uint32) }) float64 {
		r, g, b, _ := c.RGBA()
		return 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
	}
	// Darker with the count, and a few mistakes already visible.
	prev := lum(white)
	for _, n := range []int{1, 3, 10, 100, 1000} {
		l := lum(heatColour(n, 1000))
		if !(l < prev) {
			t.Errorf("count %d is not darker than a smaller count", n)
		}
		prev = l
	}
	if c := heatColour(3, 1000); lum(c) > 0.9*lum(white) {
		t.Errorf("3 of 1000 is %v, too close to white to see", c)
	}
	// Text contrasts with its cell.
	if lum(contrasting(heatColour(1000, 1000), 1000)) < lum(heatColour(1000, 1000)) {
		t.Error("text on the darkest cell is darker than the cell")
	}
	if lum(contrasting(heatColour(1, 1000), 1)) > lum(heatColour(1, 1000)) {
		t.Error("text on a light cell is lighter than the cell")
	}
}

func TestSaveConfusion(t *testing.T) {
	y, p := threeClasses()
	m, err := train.NewConfusionMatrix(y, p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "confusion.png")
	if err := SaveConfusion(path, m); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, path, 800, 700)
	checkSaveFails(t, func(p string) error { return SaveConfusion(p, m) })
}
