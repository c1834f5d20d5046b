package main

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/examples/internal/digitstest"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

func TestMain(m *testing.M) {
	code := m.Run()
	digitstest.Cleanup()
	os.Exit(code)
}

var (
	black  = color.RGBA{0, 0, 0, 255}
	white  = color.RGBA{255, 255, 255, 255}
	blue   = color.RGBA{20, 30, 120, 255}
	yellow = color.RGBA{250, 240, 170, 255}
	pencil = color.RGBA{90, 90, 90, 255}
	paper  = color.RGBA{235, 235, 225, 255}
)

// variant is one way a user's picture of a digit may look.
type variant struct {
	name       string
	w, h       int
	ink, paper color.RGBA
	encode     func(img image.Image) []byte
}

var variants = []variant{
	{"black on white, 56×56 PNG", 56, 56, black, white, digitstest.PNG},
	{"white on black, 140×140 PNG", 140, 140, white, black, digitstest.PNG},
	{"blue on yellow, 84×84 PNG", 84, 84, blue, yellow, digitstest.PNG},
	{"pencil on paper, 200×200 JPEG", 200, 200, pencil, paper, func(img image.Image) []byte {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			panic(err)
		}
		return b.Bytes()
	}},
	{"black on white, 42×42 GIF", 42, 42, black, white, func(img image.Image) []byte {
		var b bytes.Buffer
		if err := gif.Encode(&b, img, nil); err != nil {
			panic(err)
		}
		return b.Bytes()
	}},
}

// TestClassifiesLikeTheOriginals writes MNIST test digits as pictures of
// other sizes, colours and formats, classifies the files, and checks the
// answers against the model's on the original digits.
func TestClassifiesLikeTheOriginals(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	const n = 200
	f := digitstest.Get(t, n)
	x := make([]float32, 0, n*784)
	for _, img := range f.Images {
		for _, v := range img {
			x = append(x, float32(v)/255)
		}
	}
	p, err := f.Model.Predict(tensor.New(tensor.WithShape(n, 784), tensor.WithBacking(x)), train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	probs := p.Data().([]float32)
	dir := t.TempDir()
	for vi, v := range variants {
		args := []string{"-model", f.Path}
		want := map[string]int{}
		for i, img := range f.Images {
			name := filepath.Join(dir, fmt.Sprintf("v%d-%03d.img", vi, i))
			if err := os.WriteFile(name, v.encode(digitstest.Picture(img, v.w, v.h, v.ink, v.paper)), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, name)
			top, _ := train.Top(probs[i*10:(i+1)*10], 1)
			want[name] = top[0].Class
		}
		var out, errOut bytes.Buffer
		if status := run(args, &out, &errOut); status != 0 {
			t.Fatalf("%s: exit status %d: %s", v.name, status, errOut.String())
		}
		got := answers(t, out.String())
		same := 0
		for name, class := range want {
			if g, ok := got[name]; !ok {
				t.Errorf("%s: no answer for %s", v.name, name)
			} else if g[0] == class {
				same++
			}
		}
		t.Logf("%s: %d of %d classified as the originals", v.name, same, n)
		if same < n*97/100 {
			t.Errorf("%s: %d of %d classified as the originals; want at least 97%%", v.name, same, n)
		}
	}
}

// answers parses predict's output: file name → classes in order.
func answers(t *testing.T, out string) map[string][]int {
	t.Helper()
	got := map[string][]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, rest, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("output line %q is not NAME: ANSWER", line)
		}
		var total float64
		for _, field := range strings.Split(rest, "  ") {
			var class int
			var pct float64
			if _, err := fmt.Sscanf(field, "%d (%f%%)", &class, &pct); err != nil {
				t.Fatalf("output line %q: %q: %v", line, field, err)
			}
			got[name] = append(got[name], class)
			total += pct
		}
		if len(got[name]) != 3 || total > 100.01 {
			t.Errorf("output line %q: want 3 classes with probabilities summing to at most 100%%", line)
		}
	}
	return got
}

// hugePNG is a valid PNG header claiming 100,000×100,000 pixels.
func hugePNG() []byte {
	b := digitstest.PNG(image.NewGray(image.Rect(0, 0, 1, 1)))
	// The IHDR chunk's data starts at byte 16: width, height (big-endian).
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	crc := crc32.ChecksumIEEE(b[12:29])
	copy(b[29:33], []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return b
}

func TestBadFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	f := digitstest.Get(t, 1)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.png")
	png := digitstest.PNG(digitstest.Picture(f.Images[0], 56, 56, black, white))
	files := map[string][]byte{
		"good.png":      png,
		"empty.png":     {},
		"text.png":      []byte("this is not an image\n"),
		"truncated.png": png[:len(png)/2],
		"huge.png":      hugePNG(),
		"blank.png":     digitstest.PNG(image.NewGray(image.Rect(0, 0, 30, 30))),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-model", f.Path, good, filepath.Join(dir, "missing.png"), dir}
	for name := range files {
		if name != "good.png" {
			args = append(args, filepath.Join(dir, name))
		}
	}
	var out, errOut bytes.Buffer
	if status := run(args, &out, &errOut); status != 1 {
		t.Errorf("exit status %d, want 1", status)
	}
	if got := answers(t, out.String()); len(got) != 1 || got[good] == nil {
		t.Errorf("output %q: want an answer for the good file only", out.String())
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != len(args)-3 {
		t.Errorf("%d error lines, want one for each of the %d bad files:\n%s", len(lines), len(args)-3, errOut.String())
	}
	for _, a := range args[3:] {
		if !strings.Contains(errOut.String(), a+":") {
			t.Errorf("no error names %s:\n%s", a, errOut.String())
		}
	}
	t.Logf("errors:\n%s", errOut.String())
	if !strings.Contains(errOut.String(), strconv.Itoa(100000)) {
		t.Errorf("the huge image's error does not give its size:\n%s", errOut.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-model", "m.npz"},
		{"x.png"},
		{"-bogus"},
		{"-model", filepath.Join(t.TempDir(), "missing.npz"), "x.png"},
	} {
		var out, errOut bytes.Buffer
		if status := run(args, &out, &errOut); status != 2 || errOut.Len() == 0 || out.Len() != 0 {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and a message on stderr", args, status, out.String(), errOut.String())
		}
	}
}

// TestFontDigits classifies the digits of testdata (the Go fonts, white
// on black and black on white; see testdata/gen.go): each must get its
// own class (36 of the 40 at least: the test's model, two epochs, gets 38;
// any model falters on a stroke MNIST lacks, and a broken preprocessing
// gets few right), and both colourings the same answer.
func TestFontDigits(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	f := digitstest.Get(t, 1)
	files, err := filepath.Glob(filepath.Join("testdata", "*.png"))
	if err != nil || len(files) != 40 {
		t.Fatalf("testdata holds %d PNGs (%v); want 40: run gen.go there", len(files), err)
	}
	var out, errOut bytes.Buffer
	if status := run(append([]string{"-model", f.Path}, files...), &out, &errOut); status != 0 {
		t.Fatalf("exit status %d: %s", status, errOut.String())
	}
	t.Logf("\n%s", out.String())
	lines := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		name, rest, _ := strings.Cut(line, ": ")
		lines[name] = rest
	}
	right := 0
	for name, classes := range answers(t, out.String()) {
		if want := int(filepath.Base(name)[0] - '0'); classes[0] == want {
			right++
		} else {
			t.Logf("%s: classified as %d", name, classes[0])
		}
		if other := strings.Replace(name, "white-on-black", "black-on-white", 1); lines[other] != lines[name] {
			t.Errorf("%s: %s, but in black on white: %s", name, lines[name], lines[other])
		}
	}
	t.Logf("%d of %d right", right, len(files))
	if right < len(files)*9/10 {
		t.Errorf("%d of %d font digits classified right; want at least 90%%", right, len(files))
	}
}
