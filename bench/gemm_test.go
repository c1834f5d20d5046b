package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/gokeras/gokeras/graph/gemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmShape is one float32 matrix product of a training step of the
// lesson's 784-512-10 network at batch 128, as Gorgonia calls it
// (row-major; A is stored m×k, or k×m when transposed; B k×n, or n×k).
type gemmShape struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

// The lesson's sizes: a batch of 128 images of 784 pixels, 512 hidden
// units, 10 classes.
const (
	gemmBatch   = 128
	gemmPixels  = 784
	gemmUnits   = 512
	gemmClasses = 10
)

var gemmShapes = []gemmShape{
	{"X·W1", blas.NoTrans, blas.NoTrans, gemmBatch, gemmUnits, gemmPixels},   // forward, layer 1
	{"H·W2", blas.NoTrans, blas.NoTrans, gemmBatch, gemmClasses, gemmUnits},  // forward, layer 2
	{"Hᵀ·dZ2", blas.Trans, blas.NoTrans, gemmUnits, gemmClasses, gemmBatch},  // weights' gradient, layer 2
	{"dZ2·W2ᵀ", blas.NoTrans, blas.Trans, gemmBatch, gemmUnits, gemmClasses}, // hidden layer's gradient
	{"Xᵀ·dZ1", blas.Trans, blas.NoTrans, gemmPixels, gemmUnits, gemmBatch},   // weights' gradient, layer 1
	{"dZ1·W1ᵀ", blas.NoTrans, blas.Trans, gemmBatch, gemmPixels, gemmUnits},  // images' gradient (convnets)
}

// BenchmarkGEMM times each product with gokeras's Sgemm (package gemm)
// and with gonum's pure-Go Sgemm, reporting GFLOP/s (2mnk operations a
// product).
func BenchmarkGEMM(b *testing.B) {
	for _, s := range gemmShapes {
		rng := rand.New(rand.NewPCG(1, 2))
		fill := func(n int) []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			return x
		}
		lda, ldb := s.k, s.n
		if s.tA == blas.Trans {
			lda = s.m
		}
		if s.tB == blas.Trans {
			ldb = s.k
		}
		a, bm, c := fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
		for _, impl := range []struct {
			name string
			blas blas.Float32
		}{{"gokeras", gemm.Implementation{}}, {"gonum", gonum.Implementation{}}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					impl.blas.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGEMMOnImages times the two products whose A is a batch of real
// MNIST images (X·W1 and Xᵀ·dZ1), where about 80% of the pixels are zero:
// gokeras's Sgemm skips the steps of k whose six A values are all zero,
// as gonum's skips zero values. GFLOP/s counts the dense work (2mnk), so
// it shows what the skipping buys beside BenchmarkGEMM's random data.
func BenchmarkGEMMOnImages(b *testing.B) {
	x, _ := mnistRows(b, gemmBatch)
	images := x.Float32s()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []gemmShape{gemmShapes[0], gemmShapes[4]} {
		other := make([]float32, s.k*s.n) // W1 (784×512) or dZ1 (128×512)
		if s.tA == blas.Trans {
			other = make([]float32, gemmBatch*gemmUnits)
		}
		for i := range other {
			other[i] = float32(rng.NormFloat64())
		}
		lda := gemmPixels
		c := make([]float32, s.m*s.n)
		for _, impl := range []struct {
			name string
			blas blas.Float32
		}{{"gokeras", gemm.Implementation{}}, {"gonum", gonum.Implementation{}}} {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					impl.blas.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, images, lda, other, s.n, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
