package npz

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// TestNPYReadsBackWithNpyio writes arrays with writeNPY and reads them
// with npyio, an independent implementation of numpy's format.
func TestNPYReadsBackWithNpyio(t *testing.T) {
	for _, shape := range [][]int{{1}, {5}, {3, 4}, {784, 512}, {2, 3, 4, 5}, {3, 3, 1, 32}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f := make([]float32, n)
		for i := range f {
			f[i] = float32(math.Sin(float64(i))) * 1e3
		}
		f[0] = float32(math.Inf(-1))
		var b bytes.Buffer
		if err := writeNPY(&b, Array{Shape: shape, F32: f}); err != nil {
			t.Fatal(err)
		}
		if start := bytes.IndexByte(b.Bytes(), '\n') + 1; start%64 != 0 || b.Len()-start != 4*n {
			t.Errorf("%v: data starts at byte %d (want a multiple of 64) and is %d bytes (want %d)", shape, start, b.Len()-start, 4*n)
		}
		r, err := npy.NewReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if !slices.Equal(r.Header.Descr.Shape, shape) || r.Header.Descr.Type != "'<f4'" || r.Header.Descr.Fortran {
			t.Errorf("%v: npyio reads the header as %+v", shape, r.Header.Descr)
		}
		var got []float32
		if err := r.Read(&got); err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if !slices.Equal(got, f) {
			t.Errorf("%v: npyio reads other values back", shape)
		}
	}
	var b bytes.Buffer
	text := []byte(`{"class_name": "Sequential"}`)
	if err := writeNPY(&b, Array{Shape: []int{len(text)}, U8: text}); err != nil {
		t.Fatal(err)
	}
	r, err := npy.NewReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint8
	if err := r.Read(&got); err != nil || !bytes.Equal(got, text) || r.Header.Descr.Type != "'|u1'" {
		t.Errorf("bytes read back as %q (%s), %v", got, r.Header.Descr.Type, err)
	}
}

// TestNPYHeaderIsNumpys checks the header byte for byte against what
// numpy.save writes for a (784, 512) float32 array and a (10,) one.
func TestNPYHeaderIsNumpys(t *testing.T) {
	for shape, dict := range map[*[]int]string{
		{784, 512}: "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 512), }",
		{10}:       "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }",
	} {
		h := npyHeader("<f4", *shape)
		want := "\x93NUMPY\x01\x00\x76\x00" + dict + string(bytes.Repeat([]byte(" "), 128-10-len(dict)-1)) + "\n"
		if string(h) != want {
			t.Errorf("%v: header %q, want numpy's %q", *shape, h, want)
		}
	}
}
