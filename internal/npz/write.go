package npz

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pkg/errors"
)

// npyMagic starts every .npy file; the two bytes after it are the format
// version, 1.0 here (a header under 64 kB).
const npyMagic = "\x93NUMPY"

// npyHeader returns the .npy (version 1.0) header of an array: magic,
// version, the header's length and the Python dict literal numpy writes,
// padded with spaces and ended by a newline so the data starts at a
// multiple of 64 bytes, as numpy.lib.format does.
func npyHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	const prefix = len(npyMagic) + 2 + 2
	total := (prefix + len(dict) + 1 + 63) / 64 * 64
	h := make([]byte, 0, total)
	h = append(h, npyMagic...)
	h = append(h, 1, 0)
	h = binary.LittleEndian.AppendUint16(h, uint16(total-prefix))
	h = append(h, dict...)
	for len(h) < total-1 {
		h = append(h, ' ')
	}
	return append(h, '\n')
}

// writeNPY writes a as a .npy file: float32 little-endian ('<f4') or
// bytes ('|u1'), C order.
func writeNPY(w io.Writer, a Array) error {
	descr := "<f4"
	if a.U8 != nil {
		descr = "|u1"
	}
	if _, err := w.Write(npyHeader(descr, a.Shape)); err != nil {
		return err
	}
	if a.U8 != nil {
		_, err := w.Write(a.U8)
		return err
	}
	var buf [4096]byte
	for v := a.F32; len(v) > 0; {
		n := min(len(v), len(buf)/4)
		for i, x := range v[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		if _, err := w.Write(buf[:4*n]); err != nil {
			return err
		}
		v = v[n:]
	}
	return nil
}

// encodeNPZ writes the arrays, in order, as an .npz archive to w: a zip
// of uncompressed .npy entries named <name>.npy, as numpy.savez writes
// them. The same arrays give the same bytes (the entries carry no time).
func Write(w io.Writer, arrays []Array) error {
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return errors.Wrapf(err, "writing array %q", a.Name)
		}
		if err := writeNPY(ew, a); err != nil {
			return errors.Wrapf(err, "writing array %q", a.Name)
		}
	}
	return errors.Wrap(zw.Close(), "finishing the archive")
}
