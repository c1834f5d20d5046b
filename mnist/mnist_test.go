package mnist

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// idx returns a uint8 IDX file with the given dimensions and data.
func idx(dims []int, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, data...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadIDX(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	good := idx([]int{2, 3}, data)
	corruptGz := gz(good)
	corruptGz[len(corruptGz)-6] ^= 0xff // flip a CRC byte
	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"raw", good, ""},
		{"gzip", gz(good), ""},
		{"empty", nil, "magic number"},
		{"not idx", []byte("PK\x03\x04 a zip file"), "not an IDX file"},
		{"float idx", append([]byte{0, 0, 0x0d, 1, 0, 0, 0, 1}, 0, 0, 0, 0), "element type 0x0d"},
		{"no dims", []byte{0, 0, 8, 0}, "0 dimensions"},
		{"truncated header", good[:6], "dimension 0"},
		{"truncated data", good[:len(good)-2], "truncated"},
		{"truncated gzip", gz(good)[:20], "truncated"},
		{"trailing bytes", append(append([]byte{}, good...), 9), "more follow"},
		{"corrupted gzip", corruptGz, "checksum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dims, got, err := ReadIDX(bytes.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dims, []int{2, 3}) || !bytes.Equal(got, data) {
				t.Errorf("got dims %v data %v, want [2 3] %v", dims, got, data)
			}
		})
	}
}

// small is a made-up canonical file, so Load's checks can be tested on
// files of a few bytes.
func small(content []byte) file {
	return file{name: "small-idx1-ubyte", gzSHA256: sha256Hex(gz(content)), rawSHA256: sha256Hex(content), dims: []int{3}}
}

// only is a made-up data set of the one file f.
func only(f file) []*set {
	return []*set{{name: "small", title: "Small", files: []file{f}}}
}

func TestReadFileChecks(t *testing.T) {
	content := idx([]int{3}, []byte{7, 8, 9})
	f := small(content)
	tests := []struct {
		name    string
		write   map[string][]byte
		wantErr string
	}{
		{"raw", map[string][]byte{f.name: content}, ""},
		{"gzip", map[string][]byte{f.name + ".gz": gz(content)}, ""},
		{"missing", nil, "small-idx1-ubyte: missing"},
		{"corrupted", map[string][]byte{f.name: idx([]int{3}, []byte{7, 8, 0})}, "SHA-256"},
		{"wrong kind", map[string][]byte{f.name: idx([]int{1, 3}, []byte{7, 8, 9})}, "dimensions [1 3], want [3]"},
		{"truncated", map[string][]byte{f.name + ".gz": gz(content)[:15]}, "small-idx1-ubyte.gz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range tc.write {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, _, err := readFile(dir, 0, only(f))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir) {
					t.Fatalf("error %v, want one containing %q and the directory", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data().([]byte), []byte{7, 8, 9}) {
				t.Errorf("data %v", got.Data())
			}
		})
	}
}

func TestLoadNamedDirectory(t *testing.T) {
	_, err := Load(Dir(filepath.Join(t.TempDir(), "nope")))
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing directory: error %v, want one naming it", err)
	}
	empty := t.TempDir()
	_, err = Load(Dir(empty))
	if err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte: missing") {
		t.Errorf("empty directory: error %v, want one naming the missing file", err)
	}
	t.Setenv("MNIST_DIR", empty)
	if _, err = Load(); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("MNIST_DIR: error %v, want one naming %s", err, empty)
	}
	// Dir("") names nothing, so MNIST_DIR still applies.
	if _, err = Load(Dir("")); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("Dir(\"\") with MNIST_DIR: error %v, want one naming %s", err, empty)
	}
}

func TestDownloadIsAtomicAndVerified(t *testing.T) {
	content := idx([]int{3}, []byte{7, 8, 9})
	f := small(content)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(gz(idx([]int{3}, []byte{1, 1, 1}))) // wrong bytes
	}))
	defer bad.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+f.name+".gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(gz(content))
	}))
	defer good.Close()

	dir := filepath.Join(t.TempDir(), "cache")
	err := download(dir, []string{bad.URL + "/"}, []file{f})
	if err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("bad mirror: error %v, want a checksum error", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("a failed download left %v behind", left)
	}
	if err := download(dir, []string{bad.URL + "/", good.URL + "/"}, []file{f}); err != nil {
		t.Fatal(err)
	}
	got, _, err := readFile(dir, 0, only(f))
	if err != nil || !bytes.Equal(got.Data().([]byte), []byte{7, 8, 9}) {
		t.Fatalf("after download: %v, %v", got, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("want exactly the downloaded file, found %v", left)
	}
}

func TestLoadRealMNIST(t *testing.T) {
	d := realMNIST(t)
	if d.Name != "mnist" || !slices.Equal(d.Classes, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		t.Errorf("Name %q, Classes %q, want mnist and the digits", d.Name, d.Classes)
	}
	checks := []struct {
		name  string
		shape []int
		first []byte
	}{
		{"train images", d.TrainImages.Shape(), nil},
		{"train labels", d.TrainLabels.Shape(), d.TrainLabels.Data().([]byte)[:5]},
		{"test images", d.TestImages.Shape(), nil},
		{"test labels", d.TestLabels.Shape(), d.TestLabels.Data().([]byte)[:5]},
	}
	wantShapes := [][]int{{60000, 28, 28}, {60000}, {10000, 28, 28}, {10000}}
	// The first labels of each set, as every MNIST tutorial prints them.
	wantFirst := [][]byte{nil, {5, 0, 4, 1, 9}, nil, {7, 2, 1, 0, 4}}
	for i, c := range checks {
		if !slices.Equal(c.shape, wantShapes[i]) {
			t.Errorf("%s: shape %v, want %v", c.name, c.shape, wantShapes[i])
		}
		if wantFirst[i] != nil && !bytes.Equal(c.first, wantFirst[i]) {
			t.Errorf("%s: first labels %v, want %v", c.name, c.first, wantFirst[i])
		}
	}
	x, err := Flatten(d.TestImages)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != 10000 || s[1] != 784 {
		t.Errorf("flattened shape %v", s)
	}
	px := d.TestImages.Data().([]byte)
	for i, v := range x.Data().([]float32) {
		if v < 0 || v > 1 || v != float32(px[i])/255 {
			t.Fatalf("pixel %d: %v from %d", i, v, px[i])
		}
	}
}

func TestImagesAndFlattenScaleEveryPixel(t *testing.T) {
	px := []uint8{0, 255, 51, 7, 128, 1}
	in := tensor.New(tensor.WithShape(1, 2, 3), tensor.WithBacking(px))
	tests := []struct {
		name  string
		f     func(*tensor.Dense) (*tensor.Dense, error)
		shape tensor.Shape
	}{
		{"Flatten", Flatten, tensor.Shape{1, 6}},
		{"Images", Images, tensor.Shape{1, 2, 3, 1}},
	}
	for _, tc := range tests {
		got, err := tc.f(in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !got.Shape().Eq(tc.shape) {
			t.Errorf("%s: shape %v, want %v", tc.name, got.Shape(), tc.shape)
		}
		for i, v := range got.Data().([]float32) {
			if v != float32(px[i])/255 {
				t.Errorf("%s: pixel %d is %v, want %v/255", tc.name, i, v, px[i])
			}
		}
		if _, err := tc.f(tensor.New(tensor.WithShape(6), tensor.WithBacking(px))); err == nil || !strings.Contains(err.Error(), "want (N, height, width) images") {
			t.Errorf("%s of a vector: %v", tc.name, err)
		}
		if _, err := tc.f(tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]float64{1, 2}))); err == nil || !strings.Contains(err.Error(), "want uint8 pixels") {
			t.Errorf("%s of floats: %v", tc.name, err)
		}
		if _, err := tc.f(nil); err == nil {
			t.Errorf("%s of nil: no error", tc.name)
		}
	}
}

func TestConvertLetsTheBytesGo(t *testing.T) {
	tr := tensor.New(tensor.WithShape(2, 1, 2), tensor.WithBacking([]uint8{0, 255, 51, 1}))
	te := tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]uint8{128, 7}))
	d := &Dataset{TrainImages: tr, TestImages: te}
	xTrain, xTest, err := d.Convert(Images)
	if err != nil {
		t.Fatal(err)
	}
	if d.TrainImages != nil || d.TestImages != nil {
		t.Error("Convert kept the image bytes")
	}
	for _, c := range []struct {
		got  *tensor.Dense
		px   []uint8
		rows int
	}{{xTrain, []uint8{0, 255, 51, 1}, 2}, {xTest, []uint8{128, 7}, 1}} {
		if !c.got.Shape().Eq(tensor.Shape{c.rows, 1, 2, 1}) {
			t.Errorf("shape %v", c.got.Shape())
		}
		for i, v := range c.got.Float32s() {
			if v != float32(c.px[i])/255 {
				t.Errorf("pixel %d: %v, want %v/255", i, v, c.px[i])
			}
		}
	}
	bad := &Dataset{TrainImages: tr, TestImages: tensor.New(tensor.WithShape(2), tensor.WithBacking([]uint8{1, 2}))}
	if _, _, err := bad.Convert(Flatten); err == nil || !strings.Contains(err.Error(), "test images") {
		t.Errorf("bad test images: %v", err)
	}
}
