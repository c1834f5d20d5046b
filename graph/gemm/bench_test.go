package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSgemm times the six products of the training job at batch 128
// (then 96 and 32), and square products, reporting GFLOP/s (2mnk
// floating-point operations a product).
func BenchmarkSgemm(b *testing.B) {
	var shapes []shape
	for _, batch := range []int{128, 96, 32} {
		for _, s := range jobShapes(batch) {
			s.name = fmt.Sprintf("%s/batch=%d", s.name, batch)
			shapes = append(shapes, s)
		}
	}
	for _, n := range []int{64, 256, 1024} {
		shapes = append(shapes, shape{fmt.Sprintf("square=%d", n), false, false, n, n, n})
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) { benchShape(b, s) })
	}
}

func benchShape(b *testing.B, s shape) {
	rng := rand.New(rand.NewPCG(1, 1))
	g := newCase(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0)
	c := make([]float32, len(g.c0))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sgemm(g.tA, g.tB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
	}
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkKernel times the micro-kernel alone on packed panels in L1
// (kc = 256): the ceiling for the products.
func BenchmarkKernel(b *testing.B) {
	const kc = 256
	rng := rand.New(rand.NewPCG(1, 1))
	a, bp := randSlice(rng, kc*mr), randSlice(rng, kc*nr)
	c := make([]float32, mr*nr)
	for _, asm := range kernels() {
		b.Run(kernelName(asm), func(b *testing.B) {
			pr := problem{alpha: 1, asm: asm}
			for i := 0; i < b.N; i++ {
				pr.kernel(kc, a, mr, bp, nr, c, nr, true, nil)
			}
			b.ReportMetric(2*mr*nr*kc*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
