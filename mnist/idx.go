package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"

	"github.com/pkg/errors"
)

// maxIDXSize bounds what ReadIDX accepts, so a corrupted header cannot
// make it allocate without limit.
const maxIDXSize = 1 << 30

// ReadIDX reads an IDX file of unsigned bytes (the format of the MNIST
// files), gzip-compressed or raw: compression is recognised by the gzip
// magic number. It returns the dimensions and the data in row-major order.
//
// It returns an error if the header is not that of a uint8 IDX file (a
// wrong-kind file), if the data is shorter than the dimensions promise
// (a truncated file), if bytes follow the data, or if the gzip stream is
// corrupted.
func ReadIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, errors.Wrap(err, "reading the gzip header")
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, errors.Wrap(noEOF(err), "reading the IDX magic number")
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, errors.Errorf("not an IDX file: magic number starts % x, want 00 00", head[:2])
	}
	if head[2] != 0x08 {
		return nil, nil, errors.Errorf("IDX element type 0x%02x, want 0x08 (unsigned byte)", head[2])
	}
	n := int(head[3])
	if n == 0 || n > 4 {
		return nil, nil, errors.Errorf("IDX file claims %d dimensions, want 1 to 4", n)
	}
	dims = make([]int, n)
	size := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, errors.Wrapf(noEOF(err), "reading IDX dimension %d", i)
		}
		dims[i] = int(d)
		size *= int(d)
		if size > maxIDXSize {
			return nil, nil, errors.Errorf("IDX dimensions %v exceed %d bytes", dims[:i+1], maxIDXSize)
		}
	}
	if data, err = readN(br, size); err != nil {
		return nil, nil, errors.Wrapf(noEOF(err), "truncated: dimensions %v promise %d bytes of data, read %d", dims, size, len(data))
	}
	extra, err := br.Read(make([]byte, 1))
	if extra > 0 {
		return nil, nil, errors.Errorf("%d bytes of data expected for dimensions %v, but more follow", size, dims)
	}
	if err != nil && err != io.EOF {
		return nil, nil, errors.Wrap(err, "reading past the data") // a gzip checksum error shows here
	}
	return dims, data, nil
}

// exactUpTo is the largest data ReadIDX allocates at once, before any of
// it has arrived: enough for MNIST's largest file (47 MB), which is thus
// read into one buffer of its size, with no copy and no extra peak
// memory.
const exactUpTo = 64 << 20

// readN reads n bytes. Up to exactUpTo it allocates the n bytes at once;
// beyond, it allocates as the data arrives, doubling from 1 MiB, so that
// a corrupted or hostile header on a file of a few bytes cannot make it
// allocate a gigabyte (found fuzzing ReadIDX: an 8-byte file whose
// header promised 1 GiB allocated the gigabyte before failing). The last
// allocation is exactly n bytes.
func readN(r io.Reader, n int) ([]byte, error) {
	first := n
	if n > exactUpTo {
		first = 1 << 20
	}
	buf := make([]byte, first)
	got := 0
	for {
		k, err := io.ReadFull(r, buf[got:])
		got += k
		if err != nil {
			return buf[:got], err
		}
		if got == n {
			return buf, nil
		}
		grown := make([]byte, min(2*len(buf), n))
		copy(grown, buf)
		buf = grown
	}
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: inside a file, running out
// of bytes means it was truncated.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
