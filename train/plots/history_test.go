package plots

import (
	"bytes"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	"github.com/gokeras/gokeras/train/callbacks"
)

// fakeHistory is five epochs of loss and accuracy, with validation.
func fakeHistory() *train.History {
	return &train.History{
		Epochs: []int{0, 1, 2, 3, 4},
		Values: map[string][]float64{
			"loss":         {0.27, 0.11, 0.07, 0.05, 0.04},
			"accuracy":     {0.92, 0.97, 0.98, 0.985, 0.988},
			"val_loss":     {0.13, 0.095, 0.082, 0.079, 0.067},
			"val_accuracy": {0.96, 0.971, 0.975, 0.977, 0.98},
		},
		Names: []string{"loss", "accuracy", "val_loss", "val_accuracy"},
	}
}

// pngSize decodes a PNG and returns its size.
func pngSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func TestWriteHistorySize(t *testing.T) {
	for _, size := range [][2]int{{1200, 500}, {640, 480}, {300, 900}, {2000, 300}} {
		var buf bytes.Buffer
		if err := WriteHistory(&buf, fakeHistory(), size[0], size[1]); err != nil {
			t.Fatalf("%v: %v", size, err)
		}
		if w, h := pngSize(t, buf.Bytes()); w != size[0] || h != size[1] {
			t.Errorf("asked for %v, got %d×%d", size, w, h)
		}
	}
}

// Tiny pictures are useless but must not panic: either an error or a
// PNG of the size asked.
func TestWriteHistoryTinyDoesNotPanic(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {10, 10}, {40, 30}} {
		var buf bytes.Buffer
		if err := WriteHistory(&buf, fakeHistory(), size[0], size[1]); err != nil {
			continue
		}
		if w, h := pngSize(t, buf.Bytes()); w != size[0] || h != size[1] {
			t.Errorf("asked for %v, got %d×%d", size, w, h)
		}
	}
}

func TestWriteHistoryErrors(t *testing.T) {
	withValues := func(name string, vs ...float64) *train.History {
		h := fakeHistory()
		h.Values[name] = vs
		return h
	}
	decreasing := fakeHistory()
	decreasing.Epochs = []int{0, 1, 3, 2, 4}
	negative := fakeHistory()
	negative.Epochs = []int{-1, 0, 1, 2, 3}
	for _, c := range []struct {
		name string
		h    *train.History
		w    io.Writer
		x, y int
		want string
	}{
		{"nil history", nil, io.Discard, 100, 100, "nil history"},
		{"no epochs", &train.History{Values: map[string][]float64{"loss": {}}, Names: []string{"loss"}}, io.Discard, 100, 100, "no epochs"},
		{"zero width", fakeHistory(), io.Discard, 0, 100, "size 0×100"},
		{"negative height", fakeHistory(), io.Discard, 100, -5, "size 100×-5"},
		{"absurd width", fakeHistory(), io.Discard, 10001, 100, "size 10001×100"},
		{"absurd height", fakeHistory(), io.Discard, 100, 1 << 30, "1..10000"},
		{"too many values", withValues("loss", 1, 2, 3, 4, 5, 6), io.Discard, 100, 100, `"loss" has 6 values for 5 epochs`},
		{"too many val values", withValues("val_accuracy", 1, 2, 3, 4, 5, 6), io.Discard, 100, 100, `"val_accuracy" has 6 values`},
		{"epochs not increasing", decreasing, io.Discard, 100, 100, "epochs do not increase: 2 follows 3"},
		{"negative epoch", negative, io.Discard, 100, 100, "epoch -1 at index 0 is negative"},
		{"nothing to draw", &train.History{Epochs: []int{0}, Values: map[string][]float64{"learning_rate": {0.1}}, Names: []string{"learning_rate"}}, io.Discard, 100, 100, "nothing to draw"},
		{"nil writer", fakeHistory(), nil, 100, 100, "nil writer"},
		{"range too wide", withValues("loss", -1e308, 1e308, 0, 0, 0), io.Discard, 100, 100, `"loss" span -1e+308 to 1e+308`},
	} {
		err := WriteHistory(c.w, c.h, c.x, c.y)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestWriteHistoryNonFiniteValues(t *testing.T) {
	h := fakeHistory()
	h.Values["loss"] = []float64{2.3, math.NaN(), math.Inf(1), 0.9, math.Inf(-1)}
	h.Values["val_accuracy"] = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	var buf bytes.Buffer
	if err := WriteHistory(&buf, h, 800, 400); err != nil {
		t.Fatal(err)
	}
	if w, ht := pngSize(t, buf.Bytes()); w != 800 || ht != 400 {
		t.Errorf("size %d×%d", w, ht)
	}
	// A quantity with nothing finite at all still draws.
	all := &train.History{Epochs: []int{0, 1}, Values: map[string][]float64{"loss": {math.NaN(), math.Inf(1)}}, Names: []string{"loss"}}
	if err := WriteHistory(io.Discard, all, 400, 300); err != nil {
		t.Error(err)
	}
	ps, err := panels(h)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ps[0].plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.Title.Text != "Loss (3 non-finite values left out)" {
		t.Errorf("title %q", p.Title.Text)
	}
}

// A value recorded at fewer epochs than the history has (a callback that
// started late) is drawn at the first epochs, not an error.
func TestWriteHistoryFewerValues(t *testing.T) {
	h := fakeHistory()
	h.Values["val_loss"] = []float64{0.2, 0.1}
	h.Names = append(h.Names, "mae")
	h.Values["mae"] = []float64{1}
	if err := WriteHistory(io.Discard, h, 900, 300); err != nil {
		t.Fatal(err)
	}
	// The same with one epoch.
	one := &train.History{Epochs: []int{7}, Values: map[string][]float64{"loss": {0.5}}, Names: []string{"loss"}}
	if err := WriteHistory(io.Discard, one, 400, 300); err != nil {
		t.Fatal(err)
	}
}

func TestWriteHistoryPanels(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string // name:train/val for each panel
	}{
		{[]string{"loss", "accuracy", "val_loss", "val_accuracy"}, "loss:tv accuracy:tv"},
		{[]string{"accuracy", "val_accuracy", "learning_rate", "loss", "val_loss"}, "loss:tv accuracy:tv"},
		{[]string{"loss", "mae", "lr"}, "loss:t- mae:t-"},
		{[]string{"val_loss", "val_accuracy"}, "loss:-v accuracy:-v"},
	} {
		h := &train.History{Epochs: []int{0, 1}, Values: map[string][]float64{}, Names: c.names}
		for _, n := range c.names {
			h.Values[n] = []float64{1, 2}
		}
		ps, err := panels(h)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			s := []byte(p.name + ":--")
			if p.hasTrain {
				s[len(s)-2] = 't'
			}
			if p.hasVal {
				s[len(s)-1] = 'v'
			}
			got = append(got, string(s))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("names %v: panels %s, want %s", c.names, g, c.want)
		}
	}
}

func TestWriteHistoryTitles(t *testing.T) {
	for name, want := range map[string]string{"loss": "Loss", "accuracy": "Accuracy", "mae": "MAE", "mean_absolute_error": "Mean absolute error"} {
		if got := title(name); got != want {
			t.Errorf("title(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestWriteHistoryEpochTicks(t *testing.T) {
	labels := func(lo, hi float64) (major []string, minor int) {
		for _, tk := range (epochTicks{}).Ticks(lo, hi) {
			if tk.Label == "" {
				minor++
			} else {
				major = append(major, tk.Label)
			}
		}
		return major, minor
	}
	for _, c := range []struct {
		lo, hi float64
		major  string
		minor  int
	}{
		{1, 5, "1 2 3 4 5", 0},
		{0.8, 5.2, "1 2 3 4 5", 0},
		{0.5, 1.5, "1", 0}, // one epoch, the axis widened around it
		{0, 2, "1 2", 0},
		{1, 12, "2 4 6 8 10 12", 6},
		{1, 100, "10 20 30 40 50 60 70 80 90 100", 90},
		{1, 1000, "100 200 300 400 500 600 700 800 900 1000", 0},
		{1.2, 1.8, "", 0},
	} {
		major, minor := labels(c.lo, c.hi)
		if strings.Join(major, " ") != c.major || minor != c.minor {
			t.Errorf("ticks(%v, %v): labels %v and %d minor, want %q and %d", c.lo, c.hi, major, minor, c.major, c.minor)
		}
	}
}

func TestWriteHistoryDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if err := WriteHistory(&a, fakeHistory(), 600, 300); err != nil {
		t.Fatal(err)
	}
	if err := WriteHistory(&b, fakeHistory(), 600, 300); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of the same history differ")
	}
	other := fakeHistory()
	other.Values["loss"][2] = 0.2
	if err := WriteHistory(&c, other, 600, 300); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("a different history gives the same picture")
	}
}

// A History straight from Fit, with validation, draws.
func TestWriteHistoryFromFit(t *testing.T) {
	x, y := blobs(100, 4, 6)
	tr := compiled(t, 1)
	h, err := tr.Fit(x, y, train.Epochs(3), train.ValidationSplit(0.2), train.Verbose(0), train.Callbacks(callbacks.LearningRateScheduler{Schedule: func(_ int, lr float32) float32 { return lr }}))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := panels(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].name != "loss" || ps[1].name != "accuracy" || !ps[1].hasVal {
		t.Errorf("panels %+v of names %v", ps, h.Names)
	}
	var buf bytes.Buffer
	if err := WriteHistory(&buf, h, 700, 300); err != nil {
		t.Fatal(err)
	}
	if w, ht := pngSize(t, buf.Bytes()); w != 700 || ht != 300 {
		t.Errorf("size %d×%d", w, ht)
	}
}

// checkSaved checks that path holds a PNG of the size and that nothing
// else (a temporary file) is left in its directory.
func checkSaved(t *testing.T, path string, w, h int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if gw, gh := pngSize(t, b); gw != w || gh != h {
		t.Errorf("%s is %d×%d, want %d×%d", path, gw, gh, w, h)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only %s", names, filepath.Base(path))
	}
}

// checkSaveFails checks that save into a missing directory fails with an
// error naming the path.
func checkSaveFails(t *testing.T, save func(string) error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "missing", "plot.png")
	err := save(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("saving to %s: error %v, want one naming the path", path, err)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("%s exists after a failed save", path)
	}
}

func TestSaveHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.png")
	if err := SaveHistory(path, fakeHistory()); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, path, 1200, 500)
	checkSaveFails(t, func(p string) error { return SaveHistory(p, fakeHistory()) })
	// A bad history fails before anything is written, naming the path.
	path2 := filepath.Join(t.TempDir(), "h.png")
	err := SaveHistory(path2, &train.History{})
	if err == nil || !strings.Contains(err.Error(), path2) || !strings.Contains(err.Error(), "no epochs") {
		t.Errorf("empty history: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path2)); len(entries) != 0 {
		t.Errorf("a failed save left %d files", len(entries))
	}
}
