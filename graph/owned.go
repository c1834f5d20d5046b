package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// An owned is the output tensor of one op node, kept from run to run so
// that a compiled graph allocates no outputs per step. The tape machine's
// Reset clears its registers, so an op that relied on them would allocate
// again each run; an op that owns its output does not. The value an op
// returns is therefore overwritten by the next run of the same graph:
// read it before running again.
type owned struct{ t *tensor.Dense }

// matrix returns the owned (rows, cols) tensor of type dt, making it on
// first use or when the shape or type changed. Its contents are stale.
func (o *owned) matrix(dt tensor.Dtype, rows, cols int) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || o.t.Dims() != 2 || o.t.Shape()[0] != rows || o.t.Shape()[1] != cols {
		o.t = tensor.New(tensor.Of(dt), tensor.WithShape(rows, cols))
	}
	return o.t
}

// like returns the owned tensor of type dt shaped like s (of any rank).
func (o *owned) like(dt tensor.Dtype, s tensor.Shape) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || !o.t.Shape().Eq(s) {
		o.t = tensor.New(tensor.Of(dt), tensor.WithShape(s.Clone()...))
	}
	return o.t
}

// floats returns the backing slice of a contiguous row-major float32 or
// float64 tensor value as []T, or an error saying what the value is.
// Unlike (*tensor.Dense).Data it does not allocate.
func floats[T float32 | float64](what string, v G.Value) ([]T, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s: want a dense tensor, got %T", what, v)
	}
	if d.RequiresIterator() || !d.DataOrder().IsRowMajor() {
		return nil, errors.Errorf("%s: the tensor of shape %v is not contiguous and row-major", what, d.Shape())
	}
	var zero T
	switch any(zero).(type) {
	case float32:
		if d.Dtype() == tensor.Float32 {
			return any(d.Float32s()).([]T), nil
		}
	case float64:
		if d.Dtype() == tensor.Float64 {
			return any(d.Float64s()).([]T), nil
		}
	}
	return nil, errors.Errorf("%s: the tensor is %v, want %T", what, d.Dtype(), zero)
}

// dtypeOf returns the element type of a tensor value, or an error unless
// it is float32 or float64.
func dtypeOf(what string, v G.Value) (tensor.Dtype, error) {
	t, ok := v.(tensor.Tensor)
	if !ok {
		return tensor.Dtype{}, errors.Errorf("%s: want a tensor, got %T", what, v)
	}
	if dt := t.Dtype(); dt == tensor.Float32 || dt == tensor.Float64 {
		return dt, nil
	}
	return tensor.Dtype{}, errors.Errorf("%s: want float32 or float64, got %v", what, t.Dtype())
}

// inputSlices keeps the slices of an op's inputs from run to run, so that
// collecting a variable number of them allocates nothing after the first
// run. Clear it after use so that it does not keep the inputs alive.
type inputSlices struct {
	f32 [][]float32
	f64 [][]float64
}

// slicesOf returns s's list for element type T.
func slicesOf[T float32 | float64](s *inputSlices) *[][]T {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(&s.f32).(*[][]T)
	}
	return any(&s.f64).(*[][]T)
}
