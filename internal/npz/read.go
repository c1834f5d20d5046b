package npz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"github.com/pkg/errors"
)

// An Array is one named array of a .npz file: float32 values or bytes
// (such as a model's architecture as JSON), in C order. Exactly one of
// F32 and U8 is set.
type Array struct {
	Name  string // as numpy shows it: "dense/kernel", without ".npy"
	Shape []int
	F32   []float32 // dtype <f4
	U8    []byte    // dtype |u1
}

// maxEntryBytes bounds one array's decompressed size, so that a small
// hostile file cannot exhaust memory.
const maxEntryBytes = 1 << 32

// readNPZ reads every array of the .npz file at path. Each entry must be
// a C-order .npy array of little-endian float32 or of bytes, whose data
// is exactly as long as its shape says. Errors name the array; the
// caller adds the file.
//
// npyio's readers assume well-formed input and can panic on a hostile
// file; readNPZ turns such a panic into an error. (gokeras recovers from
// panics only around code it does not own: here, gonum plot's drawing in
// train, and the handlers of examples/serve.)
func Read(path string) (arrays map[string]*Array, order []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, errors.New("not a regular file")
	}
	entry := (*string)(nil) // the array being read, once reading arrays
	defer func() {
		if r := recover(); r != nil {
			arrays, order = nil, nil
			if entry == nil {
				err = errors.Errorf("malformed file: the npz reader failed: %v", r)
			} else {
				err = errors.Errorf("array %q: malformed entry: the npz reader failed: %v", *entry, r)
			}
		}
	}()
	r, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, nil, errors.Wrap(err, "not an .npz (zip) file")
	}
	arrays = map[string]*Array{}
	for _, key := range r.Keys() {
		name := strings.TrimSuffix(key, ".npy")
		entry = &name
		if _, dup := arrays[name]; dup {
			return nil, nil, errors.Errorf("array %q appears twice", name)
		}
		a, err := readEntry(r, key)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "array %q", name)
		}
		a.Name = name
		arrays[name] = a
		order = append(order, name)
	}
	return arrays, order, nil
}

// readEntry reads one .npy entry of the archive.
func readEntry(r *npz.Reader, key string) (*Array, error) {
	rc, err := r.Open(key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxEntryBytes+1))
	if err != nil {
		return nil, errors.Wrap(err, "reading the entry")
	}
	if int64(len(raw)) > maxEntryBytes {
		return nil, errors.Errorf("entry larger than %d bytes", int64(maxEntryBytes))
	}
	// npyio allocates the header's announced length before reading it;
	// check it against what the entry holds first.
	start, err := npyDataStart(raw)
	if err != nil {
		return nil, err
	}
	rd, err := npy.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.Wrap(err, "not a .npy array")
	}
	h := rd.Header.Descr
	if h.Fortran {
		return nil, errors.New("stored in Fortran order; want C order")
	}
	a := &Array{Shape: append([]int(nil), h.Shape...)}
	var size int
	switch h.Type {
	case "'<f4'":
		size = 4
	case "'|u1'", "'<u1'":
		size = 1
	default:
		return nil, errors.Errorf("dtype %s; want float32 ('<f4')", h.Type)
	}
	data := len(raw) - start
	n, ok := product(a.Shape, data/size+1)
	if len(a.Shape) == 0 {
		n, ok = 1, true
	}
	if !ok || n*size != data {
		return nil, errors.Errorf("shape %s of %s values does not match the %d bytes of data the entry holds", ShapeText(a.Shape), h.Type, data)
	}
	if size == 4 {
		a.F32 = make([]float32, n)
		err = rd.Read(&a.F32)
	} else {
		a.U8 = make([]byte, n)
		err = rd.Read(&a.U8)
	}
	if err != nil {
		return nil, errors.Wrap(err, "reading the values")
	}
	if size == 4 && len(a.F32) != n || size == 1 && len(a.U8) != n {
		return nil, errors.Errorf("read %d values, want %d", max(len(a.F32), len(a.U8)), n)
	}
	return a, nil
}

// npyDataStart returns where the data of a .npy entry starts, after
// checking that the magic string and the header fit in the entry.
func npyDataStart(raw []byte) (int, error) {
	if len(raw) < 10 || !bytes.Equal(raw[:6], npy.Magic[:]) {
		return 0, errors.New("not a .npy array: no \\x93NUMPY magic string")
	}
	var start int
	switch raw[6] {
	case 1:
		start = 10 + int(binary.LittleEndian.Uint16(raw[8:10]))
	case 2, 3:
		if len(raw) < 12 {
			return 0, errors.New("truncated .npy header")
		}
		start = 12 + int(binary.LittleEndian.Uint32(raw[8:12]))
	default:
		return 0, errors.Errorf("unknown .npy format version %d.%d", raw[6], raw[7])
	}
	if start > len(raw) {
		return 0, errors.Errorf("truncated .npy header: it announces %d bytes, the entry holds %d", start, len(raw))
	}
	return start, nil
}

// checkFinite returns an error naming the first value of a that is NaN or
// infinite, by its index in the array's shape.
func CheckFinite(a *Array) error {
	for i, v := range a.F32 {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return errors.Errorf("array %q: value %v at index %s; weights must be finite", a.Name, v, index(i, a.Shape))
		}
	}
	return nil
}

// index writes flat index i of an array of the given shape as numpy's
// multi-index: [3, 17].
func index(i int, shape []int) string {
	idx := make([]string, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = fmt.Sprint(i % shape[k])
		i /= shape[k]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// product returns the product of positive dims, and false if a dim is
// not positive or the product exceeds limit.
func product(shape []int, limit int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d <= 0 || d > limit/n {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// ShapeText writes a shape as numpy does: (784, 512), (512,).
func ShapeText(s []int) string {
	if len(s) == 1 {
		return fmt.Sprintf("(%d,)", s[0])
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
