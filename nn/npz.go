package nn

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

// An array is one named array of a .npz file: float32 values or bytes
// (the architecture's JSON), in C order.
type array struct {
	name  string // as numpy shows it: "dense/kernel", without ".npy"
	shape []int
	f32   []float32 // dtype <f4
	u8    []byte    // dtype |u1
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
func readNPZ(path string) (arrays map[string]*array, order []string, err error) {
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
	arrays = map[string]*array{}
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
		a.name = name
		arrays[name] = a
		order = append(order, name)
	}
	return arrays, order, nil
}

// readEntry reads one .npy entry of the archive.
func readEntry(r *npz.Reader, key string) (*array, error) {
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
	a := &array{shape: append([]int(nil), h.Shape...)}
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
	n, ok := product(a.shape, data/size+1)
	if len(a.shape) == 0 {
		n, ok = 1, true
	}
	if !ok || n*size != data {
		return nil, errors.Errorf("shape %s of %s values does not match the %d bytes of data the entry holds", shapeText(a.shape), h.Type, data)
	}
	if size == 4 {
		a.f32 = make([]float32, n)
		err = rd.Read(&a.f32)
	} else {
		a.u8 = make([]byte, n)
		err = rd.Read(&a.u8)
	}
	if err != nil {
		return nil, errors.Wrap(err, "reading the values")
	}
	if size == 4 && len(a.f32) != n || size == 1 && len(a.u8) != n {
		return nil, errors.Errorf("read %d values, want %d", max(len(a.f32), len(a.u8)), n)
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
func checkFinite(a *array) error {
	for i, v := range a.f32 {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return errors.Errorf("array %q: value %v at index %s; weights must be finite", a.name, v, index(i, a.shape))
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

// saveWriter wraps the writer Save and SaveWeights encode into; tests
// replace it with one that fails part-way.
var saveWriter = func(w io.Writer) io.Writer { return w }
