package bench

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/naive"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The lesson's point, measured: each BenchmarkNaiveX has a sub-benchmark
// "naive" (naive.X, plain loops) and "library" (the tensor library
// or Gorgonia doing the same), on float64 at the sizes of the lesson's
// network: a batch of 128 rows of 784 pixels, a 784×512 kernel, 512 biases.

const (
	batch  = 128
	pixels = 784
	units  = 512
)

func randTensor(seed uint64, shape ...int) *tensor.Dense {
	rng := graph.NewRand(seed)
	d := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// pair runs loops and library as the sub-benchmarks "naive" and
// "library".
func pair(b *testing.B, loops, library func() error) {
	for _, c := range []struct {
		name string
		f    func() error
	}{{"naive", loops}, {"library", library}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

// BenchmarkNaiveReLU: relu of the (128, 512) hidden layer.
func BenchmarkNaiveReLU(b *testing.B) {
	x := randTensor(1, batch, units)
	pair(b, func() error { return second(naive.ReLU(x)) },
		func() error { return second(tensor.Clamp(x, 0.0, math.Inf(1))) })
}

// BenchmarkNaiveAdd: element-wise sum of two (128, 512) matrices.
func BenchmarkNaiveAdd(b *testing.B) {
	x, y := randTensor(1, batch, units), randTensor(2, batch, units)
	pair(b, func() error { return second(naive.Add(x, y)) },
		func() error { return second(tensor.Add(x, y)) })
}

// BenchmarkNaiveAddMatrixAndVector: the bias broadcast over a (128, 512)
// batch; the library side is Gorgonia's BroadcastAdd on a tape machine,
// the op graph.Dense uses.
func BenchmarkNaiveAddMatrixAndVector(b *testing.B) {
	x, v := randTensor(1, batch, units), randTensor(2, units)
	g := G.NewGraph()
	xn := G.NodeFromAny(g, x, G.WithName("x"))
	vn := G.NodeFromAny(g, tensor.New(tensor.WithShape(1, units), tensor.WithBacking(v.Data())), G.WithName("v"))
	G.Must(G.BroadcastAdd(xn, vn, nil, []byte{0}))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	pair(b, func() error { return second(naive.AddMatrixAndVector(x, v)) },
		func() error { vm.Reset(); return vm.RunAll() })
}

// BenchmarkNaiveVectorDot: the dot product of two 784-vectors.
func BenchmarkNaiveVectorDot(b *testing.B) {
	x, y := randTensor(1, pixels), randTensor(2, pixels)
	pair(b, func() error { return second(naive.VectorDot(x, y)) },
		func() error { return second(tensor.Inner(x, y)) })
}

// BenchmarkNaiveMatrixVectorDot: a (512, 784) matrix times a 784-vector:
// one image through the first layer.
func BenchmarkNaiveMatrixVectorDot(b *testing.B) {
	m, v := randTensor(1, units, pixels), randTensor(2, pixels)
	pair(b, func() error { return second(naive.MatrixVectorDot(m, v)) },
		func() error { return second(tensor.MatVecMul(m, v)) })
}

// BenchmarkNaiveMatrixDot: a batch of 128 images times the 784×512 kernel.
func BenchmarkNaiveMatrixDot(b *testing.B) {
	x, w := randTensor(1, batch, pixels), randTensor(2, pixels, units)
	pair(b, func() error { return second(naive.MatrixDot(x, w)) },
		func() error { return second(tensor.MatMul(x, w)) })
}

// BenchmarkNaiveReshape: a batch of 128 images (128, 28, 28) to (128, 784).
// The naive version copies; the library changes the shape of a shallow
// clone sharing the data, as numpy's reshape returns a view.
func BenchmarkNaiveReshape(b *testing.B) {
	x := randTensor(1, batch, 28, 28)
	pair(b, func() error { return second(naive.Reshape(x, batch, pixels)) },
		func() error { return x.ShallowClone().Reshape(batch, pixels) })
}

// BenchmarkNaiveTranspose: the 784×512 kernel transposed, as the backward
// pass needs it.
func BenchmarkNaiveTranspose(b *testing.B) {
	w := randTensor(1, pixels, units)
	pair(b, func() error { return second(naive.Transpose(w)) },
		func() error {
			c := w.Clone().(*tensor.Dense)
			if err := c.T(); err != nil {
				return err
			}
			return c.Transpose()
		})
}
