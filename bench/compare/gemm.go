package main

import (
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/blas"
	gonumblas "gonum.org/v1/gonum/blas/gonum"

	"github.com/gokeras/gokeras/graph/gemm"
)

// shape is one matrix product of a training step at batch 128, row-major:
// op(A) is m×k (A is stored k×m when transA), op(B) is k×n (B is stored
// n×k when transB), C is m×n. torch_mnist.py's SHAPES lists the same.
type shape struct {
	name           string
	transA, transB bool
	m, n, k        int
	rows           byte // which of m, n, k is the batch's rows: 'm', 'n' or 'k'
}

// shapes are the six products of one step of the 784-512-10 network.
var shapes = []shape{
	{"X·W₁", false, false, 128, 512, 784, 'm'},
	{"H·W₂", false, false, 128, 10, 512, 'm'},
	{"Hᵀ·dZ₂", true, false, 512, 10, 128, 'k'},
	{"dZ₂·W₂ᵀ", false, true, 128, 512, 10, 'm'},
	{"Xᵀ·dZ₁", true, false, 784, 512, 128, 'k'},
	{"dZ₁·W₁ᵀ", false, true, 128, 784, 512, 'm'},
}

// flops is the floating-point operation count of the product: 2·m·n·k.
func (s shape) flops() float64 { return 2 * float64(s.m) * float64(s.n) * float64(s.k) }

// withRows returns s for a batch of rows rows instead of 128.
func (s shape) withRows(rows int) shape {
	switch s.rows {
	case 'm':
		s.m = rows
	case 'n':
		s.n = rows
	case 'k':
		s.k = rows
	default:
		panic("shape " + s.name + ": no batch dimension")
	}
	return s
}

// trainImages is the size of MNIST's training set.
const trainImages = 60000

// floorShapes is how many of shapes, from the first, one training step of
// the MLP needs: all but dZ₁·W₁ᵀ, the gradient with respect to the images,
// which nothing uses (gokeras and PyTorch both skip it).
const floorShapes = 5

// epochProducts is the matrix-product work of one epoch of the MLP.
type epochProducts struct {
	images, batch int
	steps         int       // ⌈images/batch⌉
	lastRows      int       // rows of the last step (batch where it divides)
	stepFlops     float64   // flops of a full step: shapes 1–5 at batch rows
	flops         []float64 // the epoch's flops per shape 1–5
	total         float64   // their sum
}

// mlpEpochProducts counts the flops (2·m·n·k per product) of shapes 1–5
// over one epoch of images images in batches of batch rows: steps − 1 full
// steps and a last one of the remaining rows.
func mlpEpochProducts(images, batch int) epochProducts {
	steps := (images + batch - 1) / batch
	p := epochProducts{images: images, batch: batch, steps: steps, lastRows: images - (steps-1)*batch}
	for _, s := range shapes[:floorShapes] {
		full := s.withRows(batch).flops()
		f := float64(steps-1)*full + s.withRows(p.lastRows).flops()
		p.stepFlops += full
		p.flops = append(p.flops, f)
		p.total += f
	}
	return p
}

// floorSeconds returns the seconds the products would take at the given
// speeds: Σ flops[i] / GFLOP/s of shape i+1 (rates by 1-based shape
// number, as pythonGemm returns them). ok is false where a rate is
// missing or not positive.
func floorSeconds(flops []float64, rates map[int]gemmResult) (sec float64, ok bool) {
	for i, f := range flops {
		r, found := rates[i+1]
		if !found || !(r.gflops > 0) {
			return math.NaN(), false
		}
		sec += f / (r.gflops * 1e9)
	}
	return sec, true
}

// sgemmFunc is the row-major sgemm signature of graph/gemm.Sgemm.
type sgemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// gokerasSgemm is gokeras's own sgemm.
var gokerasSgemm sgemmFunc = gemm.Sgemm

// gonumSgemm adapts gonum's pure-Go BLAS to sgemmFunc.
func gonumSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	gonumblas.Implementation{}.Sgemm(tr(transA), tr(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// operands returns random A and B stored as s says, a zeroed C and the
// three row strides.
func (s shape) operands(seed uint64) (a, b, c []float32, lda, ldb, ldc int) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = 2*rng.Float32() - 1
		}
		return x
	}
	a, b, c = fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
	lda, ldb, ldc = s.k, s.n, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return a, b, c, lda, ldb, ldc
}

// timeSgemm measures f on s in GFLOP/s: a warm-up call, a repetition count
// for which one batch lasts at least minBatch, then the best of three
// batches (the same rule as torch_mnist.py --gemm).
func timeSgemm(f sgemmFunc, s shape, minBatch time.Duration) float64 {
	a, b, c, lda, ldb, ldc := s.operands(1)
	call := func(reps int) time.Duration {
		t0 := time.Now()
		for range reps {
			f(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, ldc)
		}
		return time.Since(t0)
	}
	call(1)
	reps := 1
	var elapsed time.Duration
	for {
		elapsed = call(reps)
		if elapsed >= minBatch {
			break
		}
		scaled := int(1.2 * float64(reps) * float64(minBatch) / math.Max(float64(elapsed), 1))
		reps = max(2*reps, scaled)
	}
	best := elapsed
	for range 3 {
		best = min(best, call(reps))
	}
	return s.flops() * float64(reps) / best.Seconds() / 1e9
}

// maxRelDiff runs f and ref on the same operands of s and returns
// max|C_f − C_ref| / max|C_ref|: a check that f computes the right
// product, not just a fast one.
func maxRelDiff(f, ref sgemmFunc, s shape) float64 {
	a, b, c, lda, ldb, ldc := s.operands(2)
	want := make([]float32, len(c))
	for i := range c {
		c[i] = float32(math.NaN()) // beta 0: C must not be read
	}
	f(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, ldc)
	ref(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, want, ldc)
	var diff, scale float64
	for i := range c {
		d := math.Abs(float64(c[i] - want[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		diff = max(diff, d)
		scale = max(scale, math.Abs(float64(want[i])))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}
