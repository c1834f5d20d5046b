package mnist

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// FuzzReadIDX feeds ReadIDX arbitrary bytes, raw and gzip-compressed.
// It must never panic, and what it accepts must be 1 to 4 dimensions
// whose product is the length of the data, which re-encodes to the
// input. The seed corpus (testdata/fuzz/FuzzReadIDX) holds small valid
// files, raw and gzipped, and broken ones; more seeds are added here.
func FuzzReadIDX(f *testing.F) {
	for _, b := range idxSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dims, got, err := ReadIDX(bytes.NewReader(data))
		if err != nil {
			if dims != nil || got != nil {
				t.Fatalf("ReadIDX returned data and the error %v", err)
			}
			return
		}
		if len(dims) < 1 || len(dims) > 4 {
			t.Fatalf("accepted %d dimensions", len(dims))
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(got) {
			t.Fatalf("dimensions %v for %d bytes", dims, len(got))
		}
		// What was read is the file, or the file's gzip content.
		if re := idx(dims, got); !bytes.Equal(re, data) {
			raw, _, err := ReadIDX(bytes.NewReader(gz(re)))
			if err != nil || !slices.Equal(raw, dims) {
				t.Fatalf("re-encoded file does not read back: %v", err)
			}
			if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
				t.Fatalf("accepted %x, which is not the IDX file %x of what was read", data, re)
			}
		}
	})
}

// idxSeeds are small IDX files, valid and broken.
func idxSeeds() map[string][]byte {
	good := idx([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	return map[string][]byte{
		"raw":             good,
		"gzip":            gz(good),
		"four-dims":       idx([]int{1, 2, 2, 1}, []byte{9, 8, 7, 6}),
		"truncated":       good[:len(good)-1],
		"truncated-gzip":  gz(good)[:20],
		"float-elements":  {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0},
		"wrong-magic":     append([]byte{1, 0}, good[2:]...),
		"promises-1GiB":   {0, 0, 8, 1, 0x40, 0, 0, 0},
		"trailing-byte":   append(append([]byte(nil), good...), 0),
		"too-many-dims":   {0, 0, 8, 5, 0, 0, 0, 1},
		"huge-dimensions": {0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
}

// TestWriteFuzzSeeds writes the committed seed corpus of FuzzReadIDX,
// testdata/fuzz/FuzzReadIDX, when GOKERAS_WRITE_FUZZ_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GOKERAS_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set GOKERAS_WRITE_FUZZ_SEEDS=1 to write the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadIDX")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range idxSeeds() {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadIDXAllocatesAsDataArrives is what fuzzing ReadIDX found: an
// 8-byte file whose header promises 1 GiB made ReadIDX allocate the
// gigabyte before finding the data missing (every such input took
// milliseconds, and the fuzzer ran at a third of its speed).
func TestReadIDXAllocatesAsDataArrives(t *testing.T) {
	head := []byte{0, 0, 8, 1, 0x40, 0, 0, 0} // 1 GiB of data promised
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadIDX(bytes.NewReader(append(head, 1, 2, 3)))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("error %v, want a truncated file", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
		t.Errorf("allocated %d bytes for a file of %d", n, len(head)+3)
	}
	// Above 64 MiB the buffer grows as the data arrives, to exactly the
	// size promised.
	dims := []int{exactUpTo + 5}
	data := make([]byte, dims[0])
	for i := range data {
		data[i] = byte(i * 7)
	}
	gotDims, got, err := ReadIDX(bytes.NewReader(idx(dims, data)))
	if err != nil || !slices.Equal(gotDims, dims) || !bytes.Equal(got, data) || cap(got) != len(data) {
		t.Errorf("a file of %d bytes: %v, dims %v, %d bytes read (capacity %d)", len(data), err, gotDims, len(got), cap(got))
	}
}
