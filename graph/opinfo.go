package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opInfo gives this package's ops the Gorgonia methods that are the same
// for all of them. name holds the op's kind and every setting that changes
// what it computes: Gorgonia merges nodes whose ops hash alike and whose
// inputs are the same.
type opInfo struct{ name string }

func (o opInfo) ReturnsPtr() bool      { return false }
func (o opInfo) CallsExtern() bool     { return false }
func (o opInfo) OverwritesInput() int  { return -1 }
func (o opInfo) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gokeras.%s", o.name) }
func (o opInfo) String() string        { return o.name }
func (o opInfo) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

// fnType is the Gorgonia type of an op taking and giving tensors of the
// given numbers of dimensions, inputs first; 0 stands for a value of any
// type (a scalar or a tensor of any rank). All share one element type.
func fnType(dims ...int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, len(dims))
	for i, d := range dims {
		ts[i] = a
		if d > 0 {
			ts[i] = G.TensorType{Dims: d, Of: a}
		}
	}
	return hm.NewFnType(ts...)
}

// dispatch runs an op's computation for the element type of its input
// at: f32 for float32, f64 for float64, after checking that vals holds
// as many inputs as the op takes. Any other type is an error naming the
// op.
func dispatch[O G.Op](op O, vals []G.Value, at int, f32, f64 func(O, tensor.Dtype, []G.Value) (G.Value, error)) (G.Value, error) {
	if n := op.Arity(); len(vals) != n {
		return nil, errors.Errorf("%v takes %d inputs, got %d", op, n, len(vals))
	}
	dt, err := dtypeOf(op.String(), vals[at])
	if err != nil {
		return nil, err
	}
	if dt == tensor.Float32 {
		return f32(op, dt, vals)
	}
	return f64(op, dt, vals)
}
