package onnx

import (
	"encoding/binary"
	"math"

	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/pkg/errors"
)

// maxValues bounds the values of one tensor read from a file (2³¹: 8 GiB
// of float32), so that a damaged dimension cannot ask for any memory.
const maxValues = 1 << 31

// A constant is an ONNX tensor known when the model is read: an
// initializer or a Constant node's value. Float tensors (float, double)
// keep their values in f, integer ones (int64, int32) in i.
type constant struct {
	shape []int
	f     []float32
	i     []int64
}

// size returns the number of values of a shape.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// isFloat reports whether c holds floating-point values.
func (c *constant) isFloat() bool { return c.i == nil }

// decodeTensor reads a TensorProto of type float, double, int64 or int32
// whose values are in the file (its typed field or raw_data). Any other
// type, external data, negative or oversized dimensions, or a value count
// that disagrees with the dimensions is an error saying which.
func decodeTensor(t *pb.TensorProto) (*constant, error) {
	if t.GetDataLocation() == pb.TensorProto_EXTERNAL || len(t.GetExternalData()) > 0 {
		return nil, errors.Errorf("tensor %q keeps its values in an external file, which is not supported (save the model with its weights inside)", t.GetName())
	}
	c := &constant{shape: make([]int, len(t.GetDims()))}
	n := 1
	for i, d := range t.GetDims() {
		if d < 0 || (d > 0 && int64(n) > maxValues/d) {
			return nil, errors.Errorf("tensor %q has dimensions %v: negative or more than %d values", t.GetName(), t.GetDims(), int64(maxValues))
		}
		c.shape[i] = int(d)
		n *= int(d)
	}
	raw := t.GetRawData()
	typ := pb.TensorProto_DataType(t.GetDataType())
	count := func(have int) error {
		if have != n {
			return errors.Errorf("tensor %q of shape %v holds %d values, want %d", t.GetName(), c.shape, have, n)
		}
		return nil
	}
	rawCount := func(width int) error {
		if len(raw)%width != 0 {
			return errors.Errorf("tensor %q: raw data of %d bytes is not a whole number of %d-byte values", t.GetName(), len(raw), width)
		}
		return count(len(raw) / width)
	}
	switch typ {
	case pb.TensorProto_FLOAT:
		if raw != nil {
			if err := rawCount(4); err != nil {
				return nil, err
			}
			c.f = make([]float32, n)
			for i := range c.f {
				c.f[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
			return c, nil
		}
		if err := count(len(t.GetFloatData())); err != nil {
			return nil, err
		}
		c.f = append([]float32(nil), t.GetFloatData()...)
	case pb.TensorProto_DOUBLE:
		var d []float64
		if raw != nil {
			if err := rawCount(8); err != nil {
				return nil, err
			}
			d = make([]float64, n)
			for i := range d {
				d[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		} else {
			if err := count(len(t.GetDoubleData())); err != nil {
				return nil, err
			}
			d = t.GetDoubleData()
		}
		c.f = make([]float32, n)
		for i, v := range d {
			c.f[i] = float32(v)
		}
	case pb.TensorProto_INT64:
		if raw != nil {
			if err := rawCount(8); err != nil {
				return nil, err
			}
			c.i = make([]int64, n)
			for i := range c.i {
				c.i[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
			}
			return c, nil
		}
		if err := count(len(t.GetInt64Data())); err != nil {
			return nil, err
		}
		c.i = append(make([]int64, 0, n), t.GetInt64Data()...)
	case pb.TensorProto_INT32:
		var v []int32
		if raw != nil {
			if err := rawCount(4); err != nil {
				return nil, err
			}
			v = make([]int32, n)
			for i := range v {
				v[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		} else {
			if err := count(len(t.GetInt32Data())); err != nil {
				return nil, err
			}
			v = t.GetInt32Data()
		}
		c.i = make([]int64, n)
		for i, x := range v {
			c.i[i] = int64(x)
		}
	default:
		return nil, errors.Errorf("tensor %q has element type %s; float, double, int64 and int32 are supported", t.GetName(), typ)
	}
	return c, nil
}
