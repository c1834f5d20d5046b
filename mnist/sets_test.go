package mnist

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	realOnce sync.Once
	realData *Dataset
	realErr  error
)

// realMNIST returns MNIST as Load finds it, loaded once for the tests
// that only read it.
func realMNIST(t *testing.T) *Dataset {
	t.Helper()
	if moduleDataDir() == "" {
		t.Fatal("the GoMNIST module is not in the module cache; run `go mod download`")
	}
	realOnce.Do(func() { realData, realErr = Load() })
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realData
}

func gzLevel(t *testing.T, b []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeSets are two made-up data sets of four tiny files, named and
// shaped alike, told apart by their content as MNIST and Fashion-MNIST
// are.
func fakeSets() (a, b *set, content map[string][4][]byte) {
	dims := [][]int{{2, 2, 2}, {2}, {1, 2, 2}, {1}}
	content = map[string][4][]byte{}
	for _, k := range []string{"A", "B", "bad"} {
		var c [4][]byte
		for i, d := range dims {
			n := 1
			for _, v := range d {
				n *= v
			}
			data := make([]byte, n)
			for j := range data {
				data[j] = byte(i + j + int(k[0])) // differs between A, B and bad
			}
			c[i] = idx(d, data)
		}
		content[k] = c
	}
	mk := func(k string) *set {
		s := &set{name: strings.ToLower(k), title: k, classes: []string{k + "0", k + "1"}}
		for i, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
			c := content[k][i]
			s.files = append(s.files, file{name, sha256Hex(gz(c)), sha256Hex(c), dims[i]})
		}
		return s
	}
	return mk("A"), mk("B"), content
}

// TestReadDirRecognisesTheSet: each file is recognised by the SHA-256
// of its decompressed content, however it was compressed, and the four
// must be of one set.
func TestReadDirRecognisesTheSet(t *testing.T) {
	a, b, content := fakeSets()
	sets := []*set{a, b}
	const raw = -100 // not a gzip level: the file is written raw
	type slot struct {
		set   string // "A", "B", "bad" (neither), or "" (absent)
		level int    // a gzip level, or raw
	}
	all := func(set string, level int) [4]slot {
		return [4]slot{{set, level}, {set, level}, {set, level}, {set, level}}
	}
	tests := []struct {
		name    string
		files   [4]slot
		want    *set     // readSet's required set, or nil for readDir
		wantSet string   // Dataset.Name
		wantErr []string // substrings of the error
	}{
		{name: "A raw", files: all("A", raw), wantSet: "a"},
		{name: "B at the default gzip level", files: all("B", gzip.DefaultCompression), wantSet: "b"},
		{name: "B at four other levels", files: [4]slot{{"B", gzip.BestSpeed}, {"B", gzip.BestCompression}, {"B", gzip.HuffmanOnly}, {"B", gzip.NoCompression}}, wantSet: "b"},
		{name: "A raw and gzip", files: [4]slot{{"A", raw}, {"A", 1}, {"A", raw}, {"A", 9}}, wantSet: "a"},
		{name: "A required", files: all("A", 5), want: a, wantSet: "a"},
		{name: "B where A is required", files: all("B", raw), want: a,
			wantErr: []string{"holds B, not A; hint"}},
		{name: "one of B among A", files: [4]slot{{"A", raw}, {"B", 1}, {"A", raw}, {"A", 9}},
			wantErr: []string{"mixes data sets: train-labels-idx1-ubyte.gz is B's, the other three files are A's;", "one data set"}},
		{name: "one of A among B, B required", files: [4]slot{{"B", raw}, {"B", raw}, {"B", raw}, {"A", raw}}, want: b,
			wantErr: []string{"mixes data sets: t10k-labels-idx1-ubyte is A's, the other three files are B's;"}},
		{name: "two and two", files: [4]slot{{"B", raw}, {"A", 1}, {"B", 1}, {"A", raw}},
			wantErr: []string{"mixes data sets: train-images-idx3-ubyte and t10k-images-idx3-ubyte.gz are B's, train-labels-idx1-ubyte.gz and t10k-labels-idx1-ubyte are A's;"}},
		{name: "one of neither, raw", files: [4]slot{{"A", raw}, {"A", raw}, {"bad", raw}, {"A", raw}},
			wantErr: []string{"t10k-images-idx3-ubyte: SHA-256 ", "matches neither A's nor B's t10k-images-idx3-ubyte: the file is corrupted"}},
		{name: "one of neither, gzip", files: [4]slot{{"B", raw}, {"bad", 1}, {"B", raw}, {"B", raw}},
			wantErr: []string{"train-labels-idx1-ubyte.gz: decompressed content's SHA-256 ", "matches neither A's nor B's train-labels-idx1-ubyte"}},
		{name: "two missing", files: [4]slot{{"A", raw}, {}, {"A", raw}, {}},
			wantErr: []string{"train-labels-idx1-ubyte: missing (looked for train-labels-idx1-ubyte.gz and train-labels-idx1-ubyte); so are t10k-labels-idx1-ubyte"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, s := range tc.files {
				if s.set == "" {
					continue
				}
				name, b := a.files[i].name, content[s.set][i]
				if s.level != raw {
					name, b = name+".gz", gzLevel(t, b, s.level)
				}
				writeFiles(t, dir, map[string][]byte{name: b})
			}
			var d *Dataset
			var err error
			if tc.want != nil {
				d, err = readSet(dir, sets, tc.want, "; hint")
			} else {
				d, err = readDir(dir, sets)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tc.wantErr)
				}
				for _, w := range append(tc.wantErr, dir) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q, want one containing %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != tc.wantSet || d.Dir != dir {
				t.Errorf("Name %q, Dir %q, want %q, %q", d.Name, d.Dir, tc.wantSet, dir)
			}
			wantClasses := []string{strings.ToUpper(tc.wantSet) + "0", strings.ToUpper(tc.wantSet) + "1"}
			if !slices.Equal(d.Classes, wantClasses) {
				t.Errorf("Classes %q, want %q", d.Classes, wantClasses)
			}
			d.Classes[0] = "changed"
			if a.classes[0] != "A0" || b.classes[0] != "B0" {
				t.Error("changing a Dataset's Classes changed the data set's")
			}
			for k, got := range []any{d.TrainImages.Data(), d.TrainLabels.Data(), d.TestImages.Data(), d.TestLabels.Data()} {
				if c := content[strings.ToUpper(tc.wantSet)][k]; !bytes.HasSuffix(c, got.([]byte)) {
					t.Errorf("file %d holds %v, want the data of %v", k, got, c)
				}
			}
		})
	}
}

func TestTheSetsAgree(t *testing.T) {
	for i, f := range mnistSet.files {
		g := fashionSet.files[i]
		if f.name != g.name || !slices.Equal(f.dims, g.dims) {
			t.Errorf("file %d: MNIST's %s %v, Fashion-MNIST's %s %v", i, f.name, f.dims, g.name, g.dims)
		}
		if f.rawSHA256 == g.rawSHA256 || f.gzSHA256 == g.gzSHA256 {
			t.Errorf("file %d: the data sets share a checksum", i)
		}
	}
	for _, s := range allSets {
		if len(s.files) != 4 || len(s.classes) != 10 {
			t.Errorf("%s: %d files, %d classes", s.title, len(s.files), len(s.classes))
		}
	}
	if len(allFiles) != 4 || &allFiles[0] != &mnistSet.files[0] {
		t.Error("Load would download other files than MNIST's")
	}
}

// TestLoadRecognisesRealFiles builds a directory of MNIST's real files,
// recompressed by Go's gzip at other levels than the canonical files'
// (the training images raw, so that each case reads them fast), and
// mixes changed files or Fashion-MNIST's into copies of it.
func TestLoadRecognisesRealFiles(t *testing.T) {
	m := realMNIST(t)
	ts := [][]byte{m.TrainImages.Data().([]byte), m.TrainLabels.Data().([]byte),
		m.TestImages.Data().([]byte), m.TestLabels.Data().([]byte)}
	good := t.TempDir()
	names := make([]string, 4)
	levels := []int{-100, gzip.BestCompression, gzip.BestSpeed, gzip.HuffmanOnly}
	for i, f := range mnistSet.files {
		b := idx(f.dims, ts[i])
		names[i] = f.name
		if levels[i] != -100 {
			names[i] += ".gz"
			b = gzLevel(t, b, levels[i])
			if sha256Hex(b) == f.gzSHA256 {
				t.Fatalf("%s: recompressed, it is the canonical file", f.name)
			}
		}
		writeFiles(t, good, map[string][]byte{names[i]: b})
	}
	changed := func(i, at int) []byte {
		b := idx(mnistSet.files[i].dims, ts[i])
		b[len(b)-1-at] ^= 1
		return b
	}
	fashionLabels := filepath.Join(FashionDir, "train-labels-idx1-ubyte.gz")
	_, noFashion := os.Stat(fashionLabels)

	tests := []struct {
		name     string
		replace  map[int][2]string // file index → its new name and content
		link     map[int]string    // file index → a file to link to instead
		load     func(t *testing.T, dir string) (*Dataset, error)
		wantErr  []string
		needsFsh bool
		serial   bool // it sets MNIST_DIR
	}{
		{name: "recompressed"},
		{name: "recompressed, MNIST_DIR", serial: true, load: func(t *testing.T, dir string) (*Dataset, error) {
			t.Setenv("MNIST_DIR", dir)
			return Load()
		}},
		{name: "LoadFashion of MNIST", load: func(t *testing.T, dir string) (*Dataset, error) { return LoadFashion(Dir(dir)) },
			wantErr: []string{"holds MNIST, not Fashion-MNIST; ", "apt-get install dataset-fashion-mnist"}},
		{name: "changed test images, raw", replace: map[int][2]string{2: {"t10k-images-idx3-ubyte", string(changed(2, 300))}},
			wantErr: []string{"t10k-images-idx3-ubyte: SHA-256 ", "matches neither MNIST's nor Fashion-MNIST's t10k-images-idx3-ubyte"}},
		{name: "changed test labels", replace: map[int][2]string{3: {"t10k-labels-idx1-ubyte.gz", string(gz(changed(3, 0)))}},
			wantErr: []string{"t10k-labels-idx1-ubyte.gz: decompressed content's SHA-256 ", "matches neither MNIST's nor Fashion-MNIST's t10k-labels-idx1-ubyte"}},
		{name: "Fashion-MNIST's training labels", link: map[int]string{1: fashionLabels}, needsFsh: true,
			wantErr: []string{"mixes data sets: train-labels-idx1-ubyte.gz is Fashion-MNIST's, the other three files are MNIST's"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsFsh && noFashion != nil {
				t.Skipf("Fashion-MNIST is not in %s (apt-get install dataset-fashion-mnist)", FashionDir)
			}
			if !tc.serial {
				t.Parallel()
			}
			dir := t.TempDir()
			for i := range names {
				if r, ok := tc.replace[i]; ok {
					writeFiles(t, dir, map[string][]byte{r[0]: []byte(r[1])})
					continue
				}
				target := filepath.Join(good, names[i])
				if l, ok := tc.link[i]; ok {
					target = l
				}
				if err := os.Symlink(target, filepath.Join(dir, filepath.Base(target))); err != nil {
					t.Fatal(err)
				}
			}
			load := tc.load
			if load == nil {
				load = func(t *testing.T, dir string) (*Dataset, error) { return Load(Dir(dir)) }
			}
			d, err := load(t, dir)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tc.wantErr)
				}
				for _, w := range append(tc.wantErr, dir) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q, want one containing %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != "mnist" || d.Dir != dir || d.Classes[9] != "9" {
				t.Errorf("Name %q, Dir %q, Classes %q", d.Name, d.Dir, d.Classes)
			}
			if !bytes.Equal(d.TrainLabels.Data().([]byte), ts[1]) || !bytes.Equal(d.TestImages.Data().([]byte), ts[2]) {
				t.Error("read other data than the canonical files'")
			}
		})
	}
}

// TestLoadFashion reads Debian's Fashion-MNIST, where installed, as
// LoadFashion and as Load with Dir.
func TestLoadFashion(t *testing.T) {
	if _, err := os.Stat(FashionDir); err != nil {
		t.Skipf("Fashion-MNIST is not installed in %s; to test it, apt-get install dataset-fashion-mnist", FashionDir)
	}
	wantClasses := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	tests := []struct {
		name string
		load func() (*Dataset, error)
	}{
		{"LoadFashion", func() (*Dataset, error) { return LoadFashion() }},
		{"Load(Dir(FashionDir))", func() (*Dataset, error) { return Load(Dir(FashionDir)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // two cores read the two copies at once
			d, err := tc.load()
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != "fashion-mnist" || d.Dir != FashionDir || !slices.Equal(d.Classes, wantClasses) {
				t.Errorf("Name %q, Dir %q, Classes %q", d.Name, d.Dir, d.Classes)
			}
			for _, c := range []struct {
				name   string
				images []int
				labels []int
				perCls int
			}{
				{"training", d.TrainImages.Shape(), d.TrainLabels.Shape(), 6000},
				{"test", d.TestImages.Shape(), d.TestLabels.Shape(), 1000},
			} {
				n := 10 * c.perCls
				if !slices.Equal(c.images, []int{n, 28, 28}) || !slices.Equal(c.labels, []int{n}) {
					t.Errorf("%s: shapes %v and %v, want (%d, 28, 28) and (%d)", c.name, c.images, c.labels, n, n)
				}
			}
			for _, c := range []struct {
				name   string
				labels []byte
				perCls int
			}{{"training", d.TrainLabels.Data().([]byte), 6000}, {"test", d.TestLabels.Data().([]byte), 1000}} {
				var counts [256]int
				for _, l := range c.labels {
					counts[l]++
				}
				for l, n := range counts {
					if want := c.perCls * btoi(l < 10); n != want {
						t.Errorf("%s: %d labels %d, want %d", c.name, n, l, want)
					}
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestLoadFashionSaysHowToGetIt(t *testing.T) {
	empty := t.TempDir()
	for _, dir := range []string{filepath.Join(empty, "nope"), empty} {
		_, err := LoadFashion(Dir(dir))
		if err == nil {
			t.Fatalf("%s: no error", dir)
		}
		for _, w := range []string{dir, "apt-get install dataset-fashion-mnist", "https://github.com/zalandoresearch/fashion-mnist", "mnist.Dir"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q, want one containing %q", err, w)
			}
		}
	}
}
