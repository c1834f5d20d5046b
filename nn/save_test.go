package nn

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	npyz "codeberg.org/sbinet/npyio/npz"
	"github.com/gokeras/gokeras/internal/npz"
	"github.com/pkg/errors"
)

// everyKind is a small convnet with every layer kind and every setting.
func everyKind() *Sequential {
	return NewSequential(
		Conv2D(4, [2]int{3, 3}, ReLU, InputShape(9, 8, 2), Padding("same"), Strides(2, 1)),
		MaxPooling2D([2]int{2, 2}, Strides(1, 2), Padding("valid")),
		Conv2D(3, [2]int{2, 3}, Tanh, Name("second")),
		Dropout(0.25),
		Flatten(),
		Dense(5, Sigmoid),
		Dense(3, Softmax),
	)
}

// built returns m built with the seed, or fails the test.
func built(t testing.TB, m *Sequential, seed uint64) *Sequential {
	t.Helper()
	if err := m.Build(seed); err != nil {
		t.Fatal(err)
	}
	return m
}

// reloaded saves m to a temporary file and loads it back.
func reloaded(t *testing.T, m *Model) *Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sameWeights fails the test unless a and b have the same weights, bit
// for bit, under the same names and shapes.
func sameWeights(t *testing.T, a, b *Model) {
	t.Helper()
	pa, pb := (network{a}).Params(), (network{b}).Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d weights, want %d", len(pb), len(pa))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name || !slices.Equal(pa[i].Value.Shape(), pb[i].Value.Shape()) {
			t.Fatalf("weight %d is %s %v, want %s %v", i, pb[i].Name, pb[i].Value.Shape(), pa[i].Name, pa[i].Value.Shape())
		}
		va, vb := pa[i].Value.Data().([]float32), pb[i].Value.Data().([]float32)
		for j := range va {
			if math.Float32bits(va[j]) != math.Float32bits(vb[j]) {
				t.Fatalf("%s[%d] is %v, want %v", pa[i].Name, j, vb[j], va[j])
			}
		}
	}
}

func TestSaveLoadArchitectureAndWeights(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Sequential
	}{{"lesson mlp", lessonModel()}, {"every kind", everyKind()}} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "lesson mlp" {
				t.Skip("407,050 weights: slow under -race")
			}
			m := built(t, tc.m, 3)
			path := filepath.Join(t.TempDir(), "m.npz")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			sameWeights(t, m, got)
			if got.Summary() != m.Summary() {
				t.Errorf("summary after load:\n%s\nwant\n%s", got.Summary(), m.Summary())
			}
			wa, _ := m.architecture()
			ga, _ := got.architecture()
			if !reflect.DeepEqual(wa, ga) {
				t.Errorf("architecture after load %+v, want %+v", ga, wa)
			}
			if got.trainer != nil {
				t.Error("a model saved uncompiled loads compiled")
			}
			// Saving again gives the same bytes: the file is deterministic.
			path2 := filepath.Join(t.TempDir(), "m.npz")
			if err := got.Save(path2); err != nil {
				t.Fatal(err)
			}
			if a, b := readFile(t, path), readFile(t, path2); !bytes.Equal(a, b) {
				t.Error("saving the loaded model gives different bytes")
			}
		})
	}
}

func TestArchitectureJSON(t *testing.T) {
	m := built(t, everyKind(), 1)
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	arrays, _, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(arrays[archName].U8, &got); err != nil {
		t.Fatal(err)
	}
	want := `{"format": "gokeras", "version": 2, "class_name": "Sequential", "config": {"name": "sequential", "layers": [
	{"class_name": "InputLayer", "config": {"name": "conv2d_input", "batch_input_shape": [null, 9, 8, 2]}},
	{"class_name": "Conv2D", "config": {"name": "conv2d", "trainable": true, "filters": 4, "kernel_size": [3, 3], "strides": [2, 1], "padding": "same", "activation": "relu"}},
	{"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": true, "pool_size": [2, 2], "strides": [1, 2], "padding": "valid"}},
	{"class_name": "Conv2D", "config": {"name": "second", "trainable": true, "filters": 3, "kernel_size": [2, 3], "strides": [1, 1], "padding": "valid", "activation": "tanh"}},
	{"class_name": "Dropout", "config": {"name": "dropout", "trainable": true, "rate": 0.25}},
	{"class_name": "Flatten", "config": {"name": "flatten", "trainable": true}},
	{"class_name": "Dense", "config": {"name": "dense", "trainable": true, "units": 5, "activation": "sigmoid"}},
	{"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "units": 3, "activation": "softmax"}}]}}`
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		b, _ := json.Marshal(got)
		t.Errorf("architecture JSON\n%s\nwant\n%s", b, want)
	}
}

// TestSavedFileIsNumpyShaped opens a saved file with npyio's own reader,
// as numpy would: names, dtypes, shapes and values.
func TestSavedFileIsNumpyShaped(t *testing.T) {
	m := built(t, NewSequential(
		Conv2D(32, [2]int{3, 3}, ReLU, InputShape(8, 8, 1)),
		Flatten(),
		Dense(10, Softmax),
	), 1)
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	r, err := npyz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	wantKeys := []string{"gokeras_model.json.npy", "conv2d/kernel.npy", "conv2d/bias.npy", "dense/kernel.npy", "dense/bias.npy"}
	if !reflect.DeepEqual(r.Keys(), wantKeys) {
		t.Errorf("keys %q, want %q", r.Keys(), wantKeys)
	}
	shapes := map[string][]int{"conv2d/kernel": {3, 3, 1, 32}, "conv2d/bias": {32}, "dense/kernel": {6 * 6 * 32, 10}, "dense/bias": {10}}
	for _, p := range (network{m}).Params() {
		h := r.Header(p.Name + ".npy")
		if h == nil {
			t.Fatalf("no header for %s", p.Name)
		}
		if h.Descr.Type != "'<f4'" || h.Descr.Fortran || !reflect.DeepEqual(h.Descr.Shape, shapes[p.Name]) {
			t.Errorf("%s: header %v, want '<f4' C order %v", p.Name, h, shapes[p.Name])
		}
		var v []float32
		if err := r.Read(p.Name+".npy", &v); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v, p.Value.Data().([]float32)) {
			t.Errorf("%s: values differ", p.Name)
		}
	}
	if h := r.Header("gokeras_model.json.npy"); h == nil || h.Descr.Type != "'|u1'" || len(h.Descr.Shape) != 1 {
		t.Errorf("gokeras_model.json header %v, want '|u1' 1-D", h)
	}
	var js []uint8
	if err := r.Read("gokeras_model.json.npy", &js); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(js) {
		t.Errorf("gokeras_model.json is not JSON: %q", js)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// savedArrays returns the arrays Save writes for m, in file order.
func savedArrays(t testing.TB, m *Model) []npz.Array {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	arrays, order, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]npz.Array, len(order))
	for i, name := range order {
		out[i] = *arrays[name]
	}
	return out
}

// writeArrays writes arrays as an .npz file and returns its path.
func writeArrays(t testing.TB, arrays []npz.Array) string {
	t.Helper()
	var b bytes.Buffer
	if err := npz.Write(&b, arrays); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.npz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// editJSON returns arrays with the architecture JSON changed by f, which
// gets it decoded as generic JSON.
func editJSON(t testing.TB, arrays []npz.Array, f func(map[string]any)) []npz.Array {
	t.Helper()
	out := append([]npz.Array(nil), arrays...)
	var v map[string]any
	if err := json.Unmarshal(out[0].U8, &v); err != nil {
		t.Fatal(err)
	}
	f(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out[0] = npz.Array{Name: archName, Shape: []int{len(b)}, U8: b}
	return out
}

// layers returns the architecture's list of layer entries.
func layers(v map[string]any) []any { return v["config"].(map[string]any)["layers"].([]any) }

// layerConf returns the config of a Sequential's layer i (entry i+1,
// after the InputLayer).
func layerConf(v map[string]any, i int) map[string]any {
	return layers(v)[i+1].(map[string]any)["config"].(map[string]any)
}

func without(arrays []npz.Array, name string) []npz.Array {
	var out []npz.Array
	for _, a := range arrays {
		if a.Name != name {
			out = append(out, a)
		}
	}
	return out
}

func replaced(arrays []npz.Array, a npz.Array) []npz.Array {
	out := append([]npz.Array(nil), arrays...)
	for i := range out {
		if out[i].Name == a.Name {
			out[i] = a
		}
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	good := savedArrays(t, built(t, everyKind(), 1))
	goodPath := writeArrays(t, good)
	goodBytes := readFile(t, goodPath)
	nan := append([]float32(nil), good[1].F32...)
	nan[7] = float32(math.NaN())
	inf := append([]float32(nil), good[2].F32...)
	inf[3] = float32(math.Inf(-1))
	tests := []struct {
		name  string
		file  func() string // returns the path
		wants []string
	}{
		{"missing file", func() string { return filepath.Join(t.TempDir(), "none.npz") }, []string{"no such file"}},
		{"empty file", func() string { return rawFile(t, nil) }, []string{"not an .npz (zip) file"}},
		{"not a zip", func() string { return rawFile(t, []byte("\x89PNG\r\n\x1a\n not a zip at all")) }, []string{"not an .npz (zip) file"}},
		{"truncated", func() string { return rawFile(t, goodBytes[:len(goodBytes)/2]) }, []string{"not an .npz (zip) file"}},
		{"truncated end", func() string { return rawFile(t, goodBytes[:len(goodBytes)-10]) }, []string{"not an .npz (zip) file"}},
		{"corrupted entry", func() string {
			// A byte of the first entry's compressed data, after its
			// local header (30 bytes, the name and the extra field).
			b := append([]byte(nil), goodBytes...)
			b[30+int(b[26])+int(b[27])<<8+int(b[28])+int(b[29])<<8+5] ^= 0x55
			return rawFile(t, b)
		}, []string{"array \""}},
		{"a directory", func() string { return t.TempDir() }, []string{"not a regular file"}},
		{"weights only", func() string { return writeArrays(t, good[1:]) }, []string{"no gokeras_model.json array", "LoadWeights"}},
		{"bad JSON", func() string {
			b := []byte(`{"format": "gokeras", "layers": [`)
			return writeArrays(t, replaced(good, npz.Array{Name: archName, Shape: []int{len(b)}, U8: b}))
		}, []string{"gokeras_model.json: bad JSON"}},
		{"JSON as float32", func() string {
			return writeArrays(t, replaced(good, npz.Array{Name: archName, Shape: []int{2}, F32: []float32{1, 2}}))
		}, []string{`array "gokeras_model.json": want a 1-D uint8 array`}},
		{"unknown field", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { v["colour"] = "blue" }))
		}, []string{"gokeras_model.json", `unknown field "colour"`}},
		{"other format", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { v["format"] = "keras" }))
		}, []string{"gokeras_model.json: field format"}},
		{"newer version", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { v["version"] = 3 }))
		}, []string{"gokeras_model.json: field version is 3"}},
		{"no layers", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { v["config"].(map[string]any)["layers"] = []any{} }))
		}, []string{"gokeras_model.json: field config.layers is missing or empty"}},
		{"version 1's fields", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { v["input_shape"] = []int{9, 8, 2} }))
		}, []string{"gokeras_model.json: fields input_shape and layers belong to version 1"}},
		{"no input layer", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) {
				c := v["config"].(map[string]any)
				c["layers"] = c["layers"].([]any)[1:]
			}))
		}, []string{"gokeras_model.json: field config.layers[0]: a Sequential's first entry is its InputLayer"}},
		{"unknown kind", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) {
				layers(v)[5].(map[string]any)["class_name"] = "LSTM"
			}))
		}, []string{"gokeras_model.json: field config.layers[5] (flatten): class_name: unknown layer kind \"LSTM\" (known: ", "register others with RegisterLayer"}},
		{"unknown activation", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 5)["activation"] = "gelu" }))
		}, []string{"field config.layers[6] (dense): a Dense layer: config.activation: unknown activation \"gelu\""}},
		{"unknown padding", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 1)["padding"] = "full" }))
		}, []string{"field config.layers[2] (max_pooling2d): a MaxPooling2D layer: config.padding: unknown padding \"full\""}},
		{"missing units", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { delete(layerConf(v, 5), "units") }))
		}, []string{"field config.layers[6] (dense): a Dense layer: config.units is missing"}},
		{"setting of another kind", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 4)["rate"] = 0.5 }))
		}, []string{"field config.layers[5] (flatten): a Flatten layer: config.rate: no such setting"}},
		{"three strides", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 0)["strides"] = []int{1, 1, 1} }))
		}, []string{"field config.layers[1] (conv2d): a Conv2D layer: config.strides has 3 values, want 2"}},
		{"units a string", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 5)["units"] = "five" }))
		}, []string{"field config.layers[6] (dense): a Dense layer: config: json: cannot unmarshal string", "units"}},
		{"trainable a string", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 5)["trainable"] = "yes" }))
		}, []string{"field config.layers[6] (dense): config.trainable is not a boolean"}},
		{"bad rate", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 3)["rate"] = 1.5 }))
		}, []string{"gokeras_model.json: the architecture: layer 3 (dropout): rate must be in [0, 1)"}},
		{"no name", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 3)["name"] = "" }))
		}, []string{"field config.layers[4] (): config.name is missing"}},
		{"same names", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 6)["name"] = "dense" }))
		}, []string{"two layers are named dense; layer names must be unique"}},
		{"huge input", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) {
				layers(v)[0].(map[string]any)["config"].(map[string]any)["batch_input_shape"] = []any{nil, 1 << 40, 1 << 40, 2}
			}))
		}, []string{"too large"}},
		{"null input dimension", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) {
				layers(v)[0].(map[string]any)["config"].(map[string]any)["batch_input_shape"] = []any{nil, nil, 8, 2}
			}))
		}, []string{"field config.layers[0] (conv2d_input): an InputLayer layer: config.batch_input_shape: dimension 1 is null"}},
		{"units not matching the weights", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 5)["units"] = 6 }))
		}, []string{`array "dense/kernel" has shape (18, 5); the model's is (18, 6)`}},
		{"huge units", func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { layerConf(v, 5)["units"] = float64(1 << 40) }))
		}, []string{"layer 5 (dense): the output's samples would have shape (1099511627776)", "too large"}},
		{"missing array", func() string { return writeArrays(t, without(good, "second/bias")) }, []string{`array "second/bias" is missing`}},
		{"extra array", func() string {
			return writeArrays(t, append(append([]npz.Array(nil), good...), npz.Array{Name: "dense_7/kernel", Shape: []int{1}, F32: []float32{1}}))
		}, []string{`array "dense_7/kernel" belongs to no layer`}},
		{"optimizer state without training", func() string {
			return writeArrays(t, append(append([]npz.Array(nil), good...), npz.Array{Name: "optimizer/dense/bias/v", Shape: []int{5}, F32: make([]float32, 5)}))
		}, []string{`array "optimizer/dense/bias/v" is optimizer state, but the architecture has no training section`}},
		{"wrong shape", func() string {
			a := good[2]
			a.Shape = []int{a.Shape[0], 1}
			return writeArrays(t, replaced(good, a))
		}, []string{`array "conv2d/bias" has shape (4, 1); the model's is (4,)`}},
		{"uint8 weights", func() string {
			return writeArrays(t, replaced(good, npz.Array{Name: "conv2d/bias", Shape: []int{4}, U8: []byte{1, 2, 3, 4}}))
		}, []string{`array "conv2d/bias" is uint8; want float32`}},
		{"float64 weights", func() string { return float64File(t, good, "dense/bias") }, []string{`array "dense/bias": dtype '<f8'; want float32`}},
		{"NaN weight", func() string {
			return writeArrays(t, replaced(good, npz.Array{Name: "conv2d/kernel", Shape: good[1].Shape, F32: nan}))
		}, []string{`array "conv2d/kernel": value NaN at index [0, 0, 1, 3]`}},
		{"infinite weight", func() string {
			return writeArrays(t, replaced(good, npz.Array{Name: "conv2d/bias", Shape: good[2].Shape, F32: inf}))
		}, []string{`array "conv2d/bias": value -Inf at index [3]`}},
		{"not npy", func() string { return zipFile(t, map[string][]byte{"gokeras_model.json.npy": []byte("hello")}) }, []string{`array "gokeras_model.json": not a .npy array`}},
		{"npy header too long", func() string {
			return zipFile(t, map[string][]byte{"dense/kernel.npy": append([]byte("\x93NUMPY\x02\x00"), 0xff, 0xff, 0xff, 0xff)})
		}, []string{`array "dense/kernel": truncated .npy header`}},
		{"npy data short", func() string {
			b := npyBytes(t, good[2])
			return zipFile(t, map[string][]byte{"conv2d/bias.npy": b[:len(b)-1]})
		}, []string{`array "conv2d/bias": shape (4,) of '<f4' values does not match the 15 bytes`}},
		{"npy header out of order", func() string {
			// npyio's header parser panics on this one.
			h := "'shape': 'fortran_order': 'descr': }\n"
			return zipFile(t, map[string][]byte{"x.npy": append([]byte("\x93NUMPY\x01\x00"+string(rune(len(h)))+"\x00"), h...)})
		}, []string{`array "x": malformed entry`}},
		{"duplicate entries", func() string {
			b := npyBytes(t, good[2])
			return zipFile(t, map[string][]byte{"conv2d/bias.npy": b, "conv2d/bias": b})
		}, []string{`array "conv2d/bias" appears twice`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file()
			m, err := Load(path)
			if err == nil {
				t.Fatalf("loaded %v, want an error", m.Summary())
			}
			if !strings.Contains(err.Error(), "load "+path+": ") {
				t.Errorf("error %q does not name the file", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want one containing %q", err, w)
				}
			}
		})
	}
}

func rawFile(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.npz")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// npyBytes returns the .npy encoding of a float32 array.
func npyBytes(t testing.TB, a npz.Array) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := npz.Write(&b, []npz.Array{a}); err != nil {
		t.Fatal(err)
	}
	r, err := npyz.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.Open(a.Name + ".npy")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// zipFile writes a zip archive of the given entries, in name order.
func zipFile(t testing.TB, entries map[string][]byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeZip(&b, entries); err != nil {
		t.Fatal(err)
	}
	return rawFile(t, b.Bytes())
}

// writeZip writes a zip archive of the given entries, in name order.
func writeZip(w io.Writer, entries map[string][]byte) error {
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	zw := zip.NewWriter(w)
	for _, name := range names {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := f.Write(entries[name]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// float64File writes the arrays with the named one stored as float64.
func float64File(t testing.TB, arrays []npz.Array, name string) string {
	t.Helper()
	var b bytes.Buffer
	w := npyz.NewWriter(&b)
	for _, a := range arrays {
		var v any = a.U8
		if a.U8 == nil {
			v = nested(reflect.ValueOf(a.F32), a.Shape).Interface()
		}
		if a.Name == name {
			f := make([]float64, len(a.F32))
			for i, x := range a.F32 {
				f[i] = float64(x)
			}
			v = nested(reflect.ValueOf(f), a.Shape).Interface()
		}
		if err := w.Write(a.Name+".npy", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rawFile(t, b.Bytes())
}

// failingWriter fails after n bytes.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("disk full (test)")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// noTemp fails the test if dir holds anything but the named files.
func noTemp(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(names, e.Name()) {
			t.Errorf("%s left in the directory", e.Name())
		}
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.npz")
	// 19,914 weights: an .npz of about 80 kB, more than the 64 kB the
	// writer buffers, so the failing writes come during the encoding too.
	model := func() *Sequential { return NewSequential(Dense(64, ReLU, InputShape(300)), Dense(10, Softmax)) }
	old := built(t, model(), 1)
	if err := old.Save(path); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	m := built(t, model(), 2)
	t.Cleanup(func() { saveWriter = func(w io.Writer) io.Writer { return w } })
	for what, save := range map[string]func(string) error{"Save": m.Save, "SaveWeights": m.SaveWeights} {
		sized := filepath.Join(t.TempDir(), "m.npz")
		if err := save(sized); err != nil {
			t.Fatal(err)
		}
		size := len(readFile(t, sized))
		if size <= 1<<16 {
			t.Fatalf("%s writes %d bytes, which the writer's 64 kB buffer holds: the test needs a larger model", what, size)
		}
		for _, n := range []int{0, 100, size / 3, size / 2, size - 1} {
			saveWriter = func(w io.Writer) io.Writer { return &failingWriter{w, n} }
			err := save(path)
			saveWriter = func(w io.Writer) io.Writer { return w }
			if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s failing after %d of %d bytes: error %v, want the writer's, naming the file", what, n, size, err)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Fatalf("%s failing after %d bytes changed the previous file", what, n)
			}
			noTemp(t, dir, "model.npz")
		}
	}
	saveWriter = func(w io.Writer) io.Writer { return w }

	// A target in a missing directory.
	missing := filepath.Join(dir, "no", "such", "model.npz")
	if err := m.Save(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("save into a missing directory: %v", err)
	}
	noTemp(t, dir, "model.npz")

	// A directory that is not writable (root writes anyway: probe).
	ro := t.TempDir()
	target := filepath.Join(ro, "model.npz")
	if err := old.Save(target); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	if f, err := os.CreateTemp(ro, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Log("the read-only directory is writable (running as root?): that case is skipped")
	} else {
		if err := m.Save(target); err == nil || !strings.Contains(err.Error(), target) {
			t.Errorf("save into a read-only directory: %v", err)
		}
		if !bytes.Equal(readFile(t, target), before) {
			t.Error("a failed save into a read-only directory changed the file")
		}
		noTemp(t, ro, "model.npz")
	}

	// And a save that works replaces the file, leaving nothing else.
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	noTemp(t, dir, "model.npz")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, m, got)
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	if err := lessonModel().Save(filepath.Join(dir, "m.npz")); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("saving an unbuilt model: %v", err)
	}
	if err := built(t, lessonModel(), 1).Save(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("saving over a directory: %v", err)
	}
	noTemp(t, dir)
}

func TestWeightsRoundTripAndMismatches(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.npz")
	src := built(t, everyKind(), 5)
	if err := src.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	arrays, order, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"conv2d/kernel", "conv2d/bias", "second/kernel", "second/bias", "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}; !reflect.DeepEqual(order, want) {
		t.Errorf("arrays %q, want %q", order, want)
	}
	if _, ok := arrays[archName]; ok {
		t.Error("SaveWeights wrote the architecture")
	}
	dst := built(t, everyKind(), 6)
	if err := dst.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, src, dst)
	// A whole-model file loads too.
	whole := filepath.Join(dir, "m.npz")
	if err := built(t, everyKind(), 7).Save(whole); err != nil {
		t.Fatal(err)
	}
	if err := dst.LoadWeights(whole); err != nil {
		t.Fatal(err)
	}

	good := savedArrays(t, src)[1:]
	tests := []struct {
		name string
		m    *Sequential
		file string
		want string
	}{
		{"other units", built(t, NewSequential(
			Conv2D(4, [2]int{3, 3}, ReLU, InputShape(9, 8, 2), Padding("same"), Strides(2, 1)),
			MaxPooling2D([2]int{2, 2}, Strides(1, 2)),
			Conv2D(3, [2]int{2, 3}, Tanh, Name("second")),
			Flatten(),
			Dense(6, Sigmoid),
			Dense(3, Softmax),
		), 1), path, `array "dense/kernel" has shape (18, 5); the model's is (18, 6)`},
		{"missing", built(t, everyKind(), 1), writeArrays(t, without(good, "dense_1/bias")), `array "dense_1/bias" is missing`},
		{"extra", built(t, everyKind(), 1), writeArrays(t, append(append([]npz.Array(nil), good...), npz.Array{Name: "dense_2/bias", Shape: []int{1}, F32: []float32{0}})), `array "dense_2/bias" is not a weight of the model`},
		{"optimizer state in a weights file", built(t, everyKind(), 1), writeArrays(t, append(append([]npz.Array(nil), good...), npz.Array{Name: "optimizer/dense/bias/v", Shape: []int{5}, F32: make([]float32, 5)})), `array "optimizer/dense/bias/v" is not a weight of the model`},
		{"other names", built(t, lessonModel(), 1), path, `array "dense/kernel" has shape (18, 5); the model's is (784, 512)`},
		{"not built", lessonModel(), path, "not built"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before [][]float32
			for _, p := range (network{tc.m}).Params() {
				before = append(before, append([]float32(nil), p.Value.Data().([]float32)...))
			}
			err := tc.m.LoadWeights(tc.file)
			if err == nil || !strings.Contains(err.Error(), "load weights "+tc.file+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming the file and containing %q", err, tc.want)
			}
			for i, p := range (network{tc.m}).Params() {
				if !reflect.DeepEqual(before[i], p.Value.Data().([]float32)) {
					t.Errorf("%s changed by a failed LoadWeights", p.Name)
				}
			}
		})
	}
}

// Weights are named <layer>/kernel: a layer name with a slash, or two
// layers of the same name, would make the names ambiguous.
func TestLayerNamesAreUniqueWithoutSlashes(t *testing.T) {
	err := NewSequential(Dense(3, ReLU, InputShape(2), Name("a/b"))).Build(1)
	if err == nil || !strings.Contains(err.Error(), "layer a/b: a layer name cannot contain '/'") {
		t.Errorf("a layer named a/b: %v", err)
	}
	err = NewSequential(Dense(3, ReLU, InputShape(2), Name("h")), Dense(2, Softmax, Name("h"))).Build(1)
	if err == nil || !strings.Contains(err.Error(), "two layers are named h; layer names must be unique") {
		t.Errorf("two layers named h: %v", err)
	}
	x := Input(2)
	_, err = NewModel([]*Tensor{x}, []*Tensor{Dense(2, Softmax, Name("h")).Call(Dense(3, ReLU, Name("h")).Call(x))})
	if err == nil || !strings.Contains(err.Error(), "NewModel: two layers are named h") {
		t.Errorf("two layers named h in a functional model: %v", err)
	}
	d := Dense(2, Softmax)
	err = NewSequential(Dense(3, ReLU, InputShape(2)), d, d).Build(1)
	if err == nil || !strings.Contains(err.Error(), "layer 2 is layer 1 again") {
		t.Errorf("a layer added twice: %v", err)
	}
}

// nested returns the flat slice v as nested slices of the given shape
// ([][]float32 for a matrix), which is how npyio learns an array's shape;
// the innermost slices share v's memory.
func nested(v reflect.Value, shape []int) reflect.Value {
	if len(shape) <= 1 {
		return v
	}
	step := v.Len() / shape[0]
	first := nested(v.Slice(0, step), shape[1:])
	out := reflect.MakeSlice(reflect.SliceOf(first.Type()), shape[0], shape[0])
	out.Index(0).Set(first)
	for i := 1; i < shape[0]; i++ {
		out.Index(i).Set(nested(v.Slice(i*step, (i+1)*step), shape[1:]))
	}
	return out
}
