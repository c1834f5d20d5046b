package nn

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gokeras/gokeras/internal/npz"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// FuzzLoad feeds Load arbitrary files. Load must never panic, and a
// model it accepts must have finite weights of the shapes its
// architecture implies, and save and load back to the same model. The
// seed corpus (testdata/fuzz/FuzzLoad) holds a tiny saved model, with and
// without training state, and broken variants of it; more seeds are made
// here from models saved now.
func FuzzLoad(f *testing.F) {
	for _, m := range fuzzSeedModels(f) {
		path := filepath.Join(f.TempDir(), "seed.npz")
		if err := m.Save(path); err != nil {
			f.Fatal(err)
		}
		b := readFile(f, path)
		f.Add(b)
		f.Add(b[:len(b)/2])
		if s, ok := rezip(b); ok {
			f.Add(s)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzLoad(t, dir, data)
		// Mutations inside an entry fail its CRC-32 check; to reach the
		// .npy and JSON parsing, the entries are also read past their
		// checksums and zipped again, stored, with correct ones.
		if s, ok := rezip(data); ok {
			fuzzLoad(t, dir, s)
		}
	})
}

// rezip returns the entries of the zip archive data, read without
// checking their CRC-32, as a new archive of stored entries; false if
// data is not a zip archive or an entry cannot be read.
func rezip(data []byte) ([]byte, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		r, err := f.OpenRaw()
		if err != nil {
			return nil, false
		}
		switch f.Method {
		case zip.Store:
		case zip.Deflate:
			r = flate.NewReader(r)
		default:
			return nil, false
		}
		content, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return nil, false
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			return nil, false
		}
		if _, err := w.Write(content); err != nil {
			return nil, false
		}
	}
	if zw.Close() != nil {
		return nil, false
	}
	return b.Bytes(), true
}

// fuzzLoad loads data from a file and checks what loads.
func fuzzLoad(t *testing.T, dir string, data []byte) {
	{
		tmp, err := os.CreateTemp(dir, "fuzz-*.npz")
		if err != nil {
			t.Fatal(err)
		}
		path := tmp.Name()
		defer os.Remove(path)
		if _, err := tmp.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := tmp.Close(); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err != nil {
			if m != nil {
				t.Fatal("Load returned a model and an error")
			}
			return
		}
		checkLoaded(t, m)
		// What loads saves, and loads back the same. (Encoded in memory
		// and written without Save's fsyncs, which would slow the
		// fuzzing down a hundredfold.)
		saved := encoded(t, m)
		again := path + ".again"
		defer os.Remove(again)
		if err := os.WriteFile(again, saved, 0o644); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(again)
		if err != nil {
			t.Fatalf("loading a saved loaded model: %v", err)
		}
		a1, _ := m.architecture()
		a2, _ := m2.architecture()
		if !reflect.DeepEqual(a1, a2) {
			t.Fatalf("architecture changed by a save and load: %+v then %+v", a1, a2)
		}
		p1, p2 := (network{m}).Params(), (network{m2}).Params()
		for i := range p1 {
			if !reflect.DeepEqual(p1[i].Value.Data(), p2[i].Value.Data()) {
				t.Fatalf("%s changed by a save and load", p1[i].Name)
			}
		}
		if m.Epoch() != m2.Epoch() {
			t.Fatalf("epoch %d changed to %d by a save and load", m.Epoch(), m2.Epoch())
		}
	}
}

// encoded returns the bytes Save writes for m.
func encoded(t *testing.T, m *Model) []byte {
	t.Helper()
	arrays, err := m.arrays(true, true)
	if err != nil {
		t.Fatalf("saving a loaded model: %v", err)
	}
	var b bytes.Buffer
	if err := npz.Write(&b, arrays); err != nil {
		t.Fatalf("saving a loaded model: %v", err)
	}
	return b.Bytes()
}

// checkLoaded fails the test unless m is a consistent, built model with
// finite weights.
func checkLoaded(t *testing.T, m *Model) {
	t.Helper()
	if !m.Built() {
		t.Fatal("loaded model is not built")
	}
	for _, c := range m.calls {
		if _, err := c.layer.Plan(shapesOf(c.in)); err != nil {
			t.Fatalf("loaded model's architecture: layer %s: %v", c.layer.Name(), err)
		}
	}
	for _, l := range m.layers {
		p, err := l.Plan(shapesOf(firstCall(m, l).in))
		if err != nil {
			t.Fatalf("layer %s: %v", l.Name(), err)
		}
		params := l.Params()
		if len(params) != len(p.Weights) {
			t.Fatalf("layer %s has %d weights, its architecture implies %d", l.Name(), len(params), len(p.Weights))
		}
		for k, prm := range params {
			if !slices.Equal([]int(prm.Value.Shape()), p.Weights[k].Shape) {
				t.Fatalf("%s has shape %v, the architecture implies %v", prm.Name, prm.Value.Shape(), p.Weights[k].Shape)
			}
			for j, v := range prm.Value.Data().([]float32) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s[%d] = %v loaded", prm.Name, j, v)
				}
			}
		}
	}
}

// shapesOf returns the sample shapes of tensors.
func shapesOf(ts []*Tensor) [][]int {
	s := make([][]int, len(ts))
	for i, t := range ts {
		s[i] = t.Shape()
	}
	return s
}

// firstCall returns l's first call in m.
func firstCall(m *Model, l Layer) *call {
	for _, c := range m.calls {
		if c.layer == l {
			return c
		}
	}
	return nil
}

// saveBytes returns the file m.Save writes.
func saveBytes(t *testing.T, m *Model) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return readFile(t, path)
}

// fuzzSeedModels returns tiny models of every layer kind.
func fuzzSeedModels(t testing.TB) []*Sequential {
	a := NewSequential(Dense(2, Softmax, InputShape(3)))
	b := NewSequential(
		Conv2D(2, [2]int{2, 2}, ReLU, InputShape(4, 4, 1), Padding("same")),
		MaxPooling2D([2]int{2, 2}),
		Dropout(0.5),
		Flatten(),
		Dense(2, Softmax),
	)
	return []*Sequential{built(t, a, 1), built(t, b, 1)}
}

// TestWriteFuzzSeeds writes the committed seed corpus of FuzzLoad,
// testdata/fuzz/FuzzLoad, when GOKERAS_WRITE_FUZZ_SEEDS is set: a tiny
// compiled and trained model, saved, and broken variants of it.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GOKERAS_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set GOKERAS_WRITE_FUZZ_SEEDS=1 to write the seed corpus")
	}
	m := built(t, NewSequential(Dense(2, Softmax, InputShape(3))), 1)
	opt, err := train.NewOptimizer("sgd", map[string]float64{"momentum": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(opt, train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 0, 0, 0, 1, 0}))
	y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0, 1}))
	if _, err := m.Fit(x, y, train.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	trained := saveBytes(t, m)
	stored, _ := rezip(trained)
	uncompiled := saveBytes(t, built(t, NewSequential(
		Conv2D(1, [2]int{2, 2}, ReLU, InputShape(3, 3, 1), Padding("same")),
		MaxPooling2D([2]int{2, 2}), Dropout(0.5), Flatten(), Dense(2, Linear)), 1))
	magic := append([]byte("PK\x05\x06"), stored[4:400]...)
	h := "'shape': 'fortran_order': 'descr': }\n" // npyio's header parser panics on it
	seeds := map[string][]byte{
		"trained":          trained,
		"trained-stored":   stored,
		"every-kind":       uncompiled,
		"truncated":        stored[:len(stored)*2/3],
		"wrong-magic":      magic,
		"empty":            nil,
		"npy-header-panic": zipBytes(t, map[string][]byte{"x.npy": append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, byte(len(h)), 0}, h...)}),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seeds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func zipBytes(t testing.TB, entries map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := writeZip(&b, entries); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
