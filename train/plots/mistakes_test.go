package plots

import (
	"bytes"
	"image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
)

// fakeMistakes returns n mistakes of h×w images: image i is all white
// but for its top-left pixel, black.
func fakeMistakes(n, h, w int) []train.Mistake {
	ms := make([]train.Mistake, n)
	for i := range ms {
		img := make([]float32, h*w)
		img[0] = 1
		ms[i] = train.Mistake{Index: 100 + i, True: i % 10, Predicted: (i + 1) % 10, Probability: 0.9, Image: img, Height: h, Width: w}
	}
	return ms
}

func TestWriteMistakesSize(t *testing.T) {
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
		if err := WriteMistakes(&buf, fakeMistakes(c.n, c.h, c.w)); err != nil {
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
func TestWriteMistakesPixels(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMistakes(&buf, fakeMistakes(2, 28, 28)); err != nil {
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

func TestWriteMistakesErrors(t *testing.T) {
	short := fakeMistakes(3, 28, 28)
	short[1].Image = short[1].Image[:10]
	mixed := append(fakeMistakes(2, 28, 28), fakeMistakes(1, 20, 20)...)
	zero := fakeMistakes(1, 28, 28)
	zero[0].Height = 0
	for _, c := range []struct {
		name string
		w    io.Writer
		ms   []train.Mistake
		want string
	}{
		{"none", io.Discard, nil, "no mistakes"},
		{"short image", io.Discard, short, "mistake 1 (row 101) has 10 values for a 28×28 image"},
		{"mixed sizes", io.Discard, mixed, "mistake 2 (row 100) is 20×20"},
		{"zero height", io.Discard, zero, "0×28 image"},
		{"too many", io.Discard, fakeMistakes(400, 28, 28), "above 10000 pixels a side"},
		{"nil writer", nil, fakeMistakes(1, 28, 28), "nil writer"},
		{"huge sides", io.Discard, []train.Mistake{{Height: 1 << 62, Width: 4}}, "has 0 values for a 4611686018427387904×4 image"},
	} {
		err := WriteMistakes(c.w, c.ms)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestSaveMistakes(t *testing.T) {
	ms := fakeMistakes(8, 28, 28)
	path := filepath.Join(t.TempDir(), "mistakes.png")
	if err := SaveMistakes(path, ms); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, path, 816, 320)
	checkSaveFails(t, func(p string) error { return SaveMistakes(p, ms) })
}
