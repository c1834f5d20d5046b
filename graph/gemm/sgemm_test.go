package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

// Implementation plugs into Gorgonia.
var _ gorgonia.BLAS = Implementation{}

// config is the package's tunable state that the tests set.
type config struct {
	asm         bool
	workers     int // workerOverride
	swap        int // swapMode
	direct      int // directMode
	split       int // splitMode
	parallelMin int
}

// with runs f with the package configured as cfg, restoring it after.
func with(cfg config, f func()) {
	old := config{useAsm, workerOverride, swapMode, directMode, splitMode, parallelMin}
	useAsm, workerOverride, swapMode, directMode, splitMode, parallelMin = cfg.asm, cfg.workers, cfg.swap, cfg.direct, cfg.split, cfg.parallelMin
	defer func() {
		useAsm, workerOverride, swapMode, directMode, splitMode, parallelMin = old.asm, old.workers, old.swap, old.direct, old.split, old.parallelMin
	}()
	f()
}

// kernels lists the micro-kernels this build and CPU can run.
func kernels() []bool {
	if hasAsm {
		return []bool{true, false}
	}
	return []bool{false}
}

func kernelName(asm bool) string {
	if asm {
		return "asm"
	}
	return "go"
}

// gemmCase is one product with its operands laid out in memory.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	lda, ldb    int
	ldc         int
	alpha, beta float32
	a, b, c0    []float32 // c0: C before the product (the padding included)
}

const sentinel = 12345.5 // in C's padding and tail: must survive

func newCase(rng *rand.Rand, tA, tB bool, m, n, k, pad int, alpha, beta float32) *gemmCase {
	g := &gemmCase{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k // A as stored
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	g.lda, g.ldb, g.ldc = max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	g.a = randSlice(rng, ar*g.lda+pad)
	g.b = randSlice(rng, br*g.ldb+pad)
	g.c0 = make([]float32, m*g.ldc+pad)
	for i := range g.c0 {
		g.c0[i] = sentinel
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if beta == 0 {
				g.c0[i*g.ldc+j] = float32(math.NaN()) // must not be read
			} else {
				g.c0[i*g.ldc+j] = rng.Float32()*2 - 1
			}
		}
	}
	return g
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

func (g *gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%g beta=%g",
		g.tA, g.tB, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.alpha, g.beta)
}

func (g *gemmCase) opA(i, p int) float32 {
	if g.tA {
		return g.a[p*g.lda+i]
	}
	return g.a[i*g.lda+p]
}

func (g *gemmCase) opB(p, j int) float32 {
	if g.tB {
		return g.b[j*g.ldb+p]
	}
	return g.b[p*g.ldb+j]
}

// run computes the product into a fresh copy of c0 and returns it.
func (g *gemmCase) run() []float32 {
	c := append([]float32(nil), g.c0...)
	Sgemm(g.tA, g.tB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc)
	return c
}

// check compares c with the product computed naively in float64, within
// float32 rounding: 2(k+2)·2⁻²⁴ times the sum of the magnitudes of the terms.
// The padding of C must be untouched.
func (g *gemmCase) check(t *testing.T, c []float32) {
	t.Helper()
	bad := 0
	for idx, v := range c {
		i, j := idx/g.ldc, idx%g.ldc
		if i < g.m && j < g.n {
			continue
		}
		if v != sentinel {
			t.Errorf("%v: padding c[%d] = %g, was %g", g, idx, v, float32(sentinel))
			return
		}
	}
	for i := 0; i < g.m; i++ {
		for j := 0; j < g.n; j++ {
			var sum, mag float64
			if g.alpha != 0 {
				for p := 0; p < g.k; p++ {
					ab := float64(g.opA(i, p)) * float64(g.opB(p, j))
					sum += ab
					mag += math.Abs(ab)
				}
			}
			sum *= float64(g.alpha)
			mag *= math.Abs(float64(g.alpha))
			if g.beta != 0 {
				bc := float64(g.beta) * float64(g.c0[i*g.ldc+j])
				sum += bc
				mag += math.Abs(bc)
			}
			got := float64(c[i*g.ldc+j])
			tol := 2 * float64(g.k+2) * 0x1p-24 * mag
			if !(math.Abs(got-sum) <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d][%d] = %g, want %g ± %g", g, i, j, got, sum, tol)
				}
			}
		}
	}
}

// sizes are the dimensions the random cases draw from: 0, 1, odd sizes,
// sizes around the tile sizes mr = 6 and nr = 16, and k past kcMax = 256.
var sizes = []int{0, 1, 2, 3, 5, 6, 7, 11, 15, 16, 17, 23, 31, 33, 47, 64, 97, 130, 255, 257, 300, 519}

var scalars = []struct{ alpha, beta float32 }{
	{1, 0}, {1, 1}, {0.5, -1.5}, {-2, 0}, {0, 0.5}, {0, 0}, {1.25, 1},
}

// cases returns n random cases, reproducibly.
func cases(seed uint64, n int) []*gemmCase {
	rng := rand.New(rand.NewPCG(seed, 1))
	var gs []*gemmCase
	for len(gs) < n {
		m, nn, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
		if m*nn*k > 6e6 {
			continue // keep the naive reference quick
		}
		s := scalars[rng.IntN(len(scalars))]
		pad := 0
		if rng.IntN(2) == 0 {
			pad = 1 + rng.IntN(5)
		}
		gs = append(gs, newCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, m, nn, k, pad, s.alpha, s.beta))
	}
	// Every transpose combination with odd sizes, k > kcMax, padding and
	// both scalar kinds, whatever the draw gave.
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			gs = append(gs,
				newCase(rng, tA, tB, 37, 53, 301, 3, 0.5, -1.5),
				newCase(rng, tA, tB, 131, 10, 129, 0, 1, 0),
				newCase(rng, tA, tB, 10, 131, 10, 2, 1, 0),
				newCase(rng, tA, tB, 13, 17, 600, 0, -1, 1))
		}
	}
	return gs
}

// TestSgemm checks every case against the naive product, with each
// kernel, serially and split over workers, swapped or not, panels packed
// or read in place.
func TestSgemm(t *testing.T) {
	gs := cases(1, 150)
	for _, asm := range kernels() {
		for _, cfg := range []config{
			{asm: asm, workers: 1, parallelMin: parallelMin},
			{asm: asm, workers: 2, parallelMin: 0},
			{asm: asm, workers: 3, swap: 1, direct: 1, split: 1, parallelMin: 0},
			{asm: asm, workers: 2, swap: 2, direct: 2, split: 2, parallelMin: 0},
		} {
			t.Run(fmt.Sprintf("%s/workers=%d/swap=%d/direct=%d/split=%d", kernelName(asm), cfg.workers, cfg.swap, cfg.direct, cfg.split), func(t *testing.T) {
				with(cfg, func() {
					for _, g := range gs {
						g.check(t, g.run())
					}
				})
			})
		}
	}
}

// TestDeterministic checks that each kernel gives the same bits run after
// run, whatever the number of workers, the split, the swap and the panel
// reads; and that the two kernels agree within rounding.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var gs []*gemmCase
	for _, s := range jobShapes(128) {
		gs = append(gs, newCase(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0))
	}
	gs = append(gs,
		newCase(rng, false, false, 133, 517, 611, 1, 0.5, -1.5),
		newCase(rng, true, false, 301, 77, 263, 0, 1, 1),
		newCase(rng, false, true, 97, 203, 31, 2, 1, 0),
		newCase(rng, true, true, 50, 50, 50, 0, -1, 0.25))
	for _, g := range gs {
		results := map[bool][]float32{}
		for _, asm := range kernels() {
			var want []float32
			with(config{asm: asm, workers: 1, parallelMin: parallelMin}, func() { want = g.run() })
			for _, cfg := range []config{
				{asm: asm, workers: 1, parallelMin: 0},
				{asm: asm, workers: 2, parallelMin: 0},
				{asm: asm, workers: 3, parallelMin: 0},
				{asm: asm, workers: 4, parallelMin: 0},
				{asm: asm, workers: 2, swap: 1, direct: 1, split: 1, parallelMin: 0},
				{asm: asm, workers: 3, swap: 2, direct: 2, split: 2, parallelMin: 0},
				{asm: asm, workers: 2, swap: 2, direct: 1, split: 1, parallelMin: 0},
				{asm: asm, workers: 4, swap: 1, direct: 2, split: 2, parallelMin: 0},
				{asm: asm, workers: 1, swap: 1, direct: 2, parallelMin: 0},
				{asm: asm, parallelMin: parallelMin},
			} {
				with(cfg, func() {
					for rep := 0; rep < 2; rep++ {
						got := g.run()
						if i := firstDiff(got, want); i >= 0 {
							t.Fatalf("%v: %s kernel, workers=%d swap=%d direct=%d split=%d: c[%d] = %x, serially %x",
								g, kernelName(asm), cfg.workers, cfg.swap, cfg.direct, cfg.split, i,
								math.Float32bits(got[i]), math.Float32bits(want[i]))
						}
					}
				})
			}
			g.check(t, want)
			results[asm] = want
		}
		if len(results) == 2 && !goFuses() && firstDiff(results[true], results[false]) < 0 && g.k > 1 {
			// FMA rounds once where the Go kernel rounds twice: equal bits
			// everywhere would mean both ran the same kernel.
			t.Errorf("%v: the asm and Go kernels agree bit for bit: is the asm kernel running?", g)
		}
	}
}

// fx and fz make x·x + z differ when fused: (1+2⁻¹²)² rounds to 1+2⁻¹¹
// in float32, so the product rounded then added gives 0, fused 2⁻²⁴.
var fx, fz float32 = 1 + 0x1p-12, -(1 + 0x1p-11)

//go:noinline
func mulAdd(x, y, z float32) float32 { return x*y + z }

// goFuses reports whether the compiler fuses x*y + z in Go code (it does
// on arm64, and on amd64 with GOAMD64=v3), in which case the Go kernel
// rounds as the assembly kernel does.
func goFuses() bool { return mulAdd(fx, fx, fz) != 0 }

func firstDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestAsmSelected checks that useAsm follows the CPU.
func TestAsmSelected(t *testing.T) {
	if useAsm != hasAsm {
		t.Fatalf("useAsm = %v, hasAsm = %v", useAsm, hasAsm)
	}
}

// TestImplementation checks that Implementation.Sgemm computes what Sgemm
// does for every transpose flag.
func TestImplementation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	flags := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	for _, tA := range flags {
		for _, tB := range flags {
			g := newCase(rng, tA != blas.NoTrans, tB != blas.NoTrans, 29, 41, 37, 1, 0.5, -1.5)
			want := g.run()
			got := append([]float32(nil), g.c0...)
			Implementation{}.Sgemm(tA, tB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, got, g.ldc)
			if i := firstDiff(got, want); i >= 0 {
				t.Errorf("%v %v: c[%d] = %g, Sgemm gives %g", tA, tB, i, got[i], want[i])
			}
		}
	}
}

// TestPanics checks that invalid arguments panic as in gonum, with the
// same message.
func TestPanics(t *testing.T) {
	f := make([]float32, 100)
	type args struct {
		tA, tB     blas.Transpose
		m, n, k    int
		lda, ldb   int
		ldc        int
		la, lb, lc int
	}
	N, T := blas.NoTrans, blas.Trans
	for _, x := range []args{
		{'X', N, 2, 2, 2, 2, 2, 2, 4, 4, 4},
		{N, 'X', 2, 2, 2, 2, 2, 2, 4, 4, 4},
		{N, N, -1, 2, 2, 2, 2, 2, 4, 4, 4},
		{N, N, 2, -1, 2, 2, 2, 2, 4, 4, 4},
		{N, N, 2, 2, -1, 2, 2, 2, 4, 4, 4},
		{N, N, 2, 2, 3, 2, 2, 2, 6, 6, 4},    // lda < k
		{T, N, 3, 2, 2, 2, 2, 2, 6, 4, 6},    // lda < m
		{N, N, 2, 3, 2, 2, 2, 3, 4, 6, 6},    // ldb < n
		{N, T, 2, 2, 3, 3, 2, 2, 6, 6, 4},    // ldb < k
		{N, N, 2, 3, 2, 2, 3, 2, 4, 6, 6},    // ldc < n
		{N, N, 2, 2, 2, 2, 2, 2, 3, 4, 4},    // a short
		{N, N, 2, 2, 2, 2, 2, 2, 4, 3, 4},    // b short
		{N, N, 2, 2, 2, 2, 2, 2, 4, 4, 3},    // c short
		{T, T, 3, 4, 5, 3, 5, 4, 14, 19, 11}, // a, b, c short transposed
		{N, N, 0, 2, 2, 0, 2, 2, 0, 4, 0},    // lda < 1
	} {
		msg := func(impl blas.Float32) (r any) {
			defer func() { r = recover() }()
			impl.Sgemm(x.tA, x.tB, x.m, x.n, x.k, 1, f[:x.la], x.lda, f[:x.lb], x.ldb, 0, f[:x.lc], x.ldc)
			return nil
		}
		want, got := msg(gonum.Implementation{}), msg(Implementation{})
		if want == nil {
			t.Errorf("%+v: gonum does not panic", x)
		}
		if got != want {
			t.Errorf("%+v: panics with %v, gonum with %v", x, got, want)
		}
	}
	// Valid arguments with nothing to do do not panic.
	Sgemm(false, false, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1)
	Sgemm(false, false, 3, 0, 2, 1, nil, 2, nil, 1, 0, nil, 1)
}

// shape is one product of the training job.
type shape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

// jobShapes returns the six products of a training step of the 784-512-10
// network at a batch size (the sixth, the images' gradient, is not needed
// for training but is for convolutional networks).
func jobShapes(batch int) []shape {
	return []shape{
		{"X·W1", false, false, batch, 512, 784},
		{"H·W2", false, false, batch, 10, 512},
		{"Hᵀ·dZ2", true, false, 512, 10, batch},
		{"dZ2·W2ᵀ", false, true, batch, 512, 10},
		{"Xᵀ·dZ1", true, false, 784, 512, batch},
		{"dZ1·W1ᵀ", false, true, batch, 784, 512},
	}
}

// TestNoAllocs checks that the job's products allocate nothing once warm,
// serially and split.
func TestNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, batch := range []int{128, 96, 32} {
		for _, s := range jobShapes(batch) {
			g := newCase(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0)
			c := make([]float32, len(g.c0))
			for _, workers := range []int{0, 1, 2, 3} {
				with(config{asm: hasAsm, workers: workers, parallelMin: parallelMin}, func() {
					f := func() { Sgemm(g.tA, g.tB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc) }
					f()
					if n := testing.AllocsPerRun(20, f); n != 0 {
						t.Errorf("batch %d %s, workers=%d: %v allocations a call", batch, s.name, workers, n)
					}
				})
			}
		}
	}
}

// TestConcurrent runs products from several goroutines at once, sharing
// the worker pool; each must give what it gives alone.
func TestConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var gs []*gemmCase
	for _, s := range jobShapes(96) {
		gs = append(gs, newCase(rng, s.tA, s.tB, s.m, s.n, s.k, 1, 0.5, 1))
	}
	want := make([][]float32, len(gs))
	for i, g := range gs {
		want[i] = g.run()
	}
	with(config{asm: hasAsm, workers: 3, parallelMin: 0}, func() {
		errs := make(chan error, len(gs))
		for i, g := range gs {
			go func() {
				for rep := 0; rep < 10; rep++ {
					if d := firstDiff(g.run(), want[i]); d >= 0 {
						errs <- fmt.Errorf("%v: c[%d] differs when run concurrently", g, d)
						return
					}
				}
				errs <- nil
			}()
		}
		for range gs {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}

// zeroSteps zeroes, in g's op(A), the steps of k picked with probability
// frac, for every row: the pattern of images whose borders are blank.
func zeroSteps(rng *rand.Rand, g *gemmCase, frac float64) {
	for p := 0; p < g.k; p++ {
		if rng.Float64() >= frac {
			continue
		}
		for i := 0; i < g.m; i++ {
			if g.tA {
				g.a[p*g.lda+i] = 0
			} else {
				g.a[i*g.lda+p] = 0
			}
		}
	}
}

// TestSparseA checks the products that skip A's zero steps of k against
// the dense kernel, bit for bit, and against the naive product, with
// every kernel and several worker counts.
func TestSparseA(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var gs []*gemmCase
	for _, s := range []struct {
		tA, tB  bool
		m, n, k int
	}{
		{false, false, 128, 512, 784}, // X·W₁
		{true, false, 784, 512, 128},  // Xᵀ·dZ₁
		{false, false, 37, 100, 300},
		{true, true, 61, 70, 515},
		{false, true, 13, 64, 9},
	} {
		for _, frac := range []float64{0.3, 0.7, 1} {
			g := newCase(rng, s.tA, s.tB, s.m, s.n, s.k, 1, 1, 0)
			zeroSteps(rng, g, frac)
			gs = append(gs, g)
		}
	}
	for _, g := range gs {
		for _, asm := range kernels() {
			var dense []float32
			with(config{asm: asm, workers: 1, parallelMin: parallelMin}, func() {
				sparseMode = 1
				defer func() { sparseMode = 0 }()
				dense = g.run()
			})
			for _, workers := range []int{1, 2, 3} {
				with(config{asm: asm, workers: workers, parallelMin: 0}, func() {
					got := g.run()
					if i := firstDiff(got, dense); i >= 0 {
						t.Fatalf("%v: %s kernel, %d workers, skipping zeros: c[%d] = %v, dense kernel %v",
							g, kernelName(asm), workers, i, got[i], dense[i])
					}
					g.check(t, got)
				})
			}
		}
	}
}

func TestCompact(t *testing.T) {
	const kc = 16
	panel := make([]float32, kc*mr)
	for p := 0; p < kc; p++ {
		if p%4 == 1 { // a quarter of the steps hold a value, in one row
			panel[p*mr+p%mr] = float32(p)
		}
	}
	panel[3*mr+5] = float32(math.NaN()) // a NaN is not zero
	want := []int32{1, 3, 5, 9, 13}
	orig := append([]float32(nil), panel...)
	idx := make([]int32, kc)
	n := compact(panel, idx, 32)
	if n != len(want) {
		t.Fatalf("kept %d steps, want %d", n, len(want))
	}
	for i, p := range want {
		if idx[i] != p {
			t.Errorf("idx[%d] = %d, want %d", i, idx[i], p)
		}
		for r := 0; r < mr; r++ {
			got, w := panel[i*mr+r], orig[int(p)*mr+r]
			if math.Float32bits(got) != math.Float32bits(w) {
				t.Errorf("kept step %d, row %d: %v, want %v", i, r, got, w)
			}
		}
	}
	dense := make([]float32, kc*mr)
	for i := range dense {
		dense[i] = 1
	}
	dense[0] = 0 // one zero value does not empty a step
	if n := compact(dense, idx, 32); n != -1 {
		t.Errorf("a panel without empty steps: compact returned %d, want -1", n)
	}
}

// TestCompactProbesTheFirstQuarter checks compact's shortcut: a panel
// whose first quarter of steps holds under half the empty share worth
// compacting is taken as dense, even if the rest is empty; one with
// enough zeros early is scanned whole and compacted.
func TestCompactProbesTheFirstQuarter(t *testing.T) {
	const kc = 128
	idx := make([]int32, kc)
	panel := func(nonZero func(p int) bool) []float32 {
		d := make([]float32, kc*mr)
		for p := 0; p < kc; p++ {
			if nonZero(p) {
				d[p*mr+p%mr] = 1
			}
		}
		return d
	}
	// 32 tiles: worth it from 1 empty step in 8 (16 of 128); the probe
	// wants 2 of its 32.
	if n := compact(panel(func(p int) bool { return p < kc/4 }), idx, 32); n != -1 {
		t.Errorf("dense first quarter, empty rest: compact kept %d, want -1 (taken as dense)", n)
	}
	if n := compact(panel(func(p int) bool { return p >= kc/4 }), idx, 32); n != kc-kc/4 {
		t.Errorf("empty first quarter: compact kept %d, want %d", n, kc-kc/4)
	}
	if n := compact(panel(func(p int) bool { return p != 5 && p < 100 }), idx, 32); n != -1 {
		t.Errorf("1 empty step in the first 32: compact kept %d, want -1", n)
	}
	if n := compact(panel(func(p int) bool { return p != 5 && p != 6 && p < 100 }), idx, 32); n != 98 {
		t.Errorf("2 empty steps in the first 32, 28 at the end: compact kept %d, want 98", n)
	}
	// 4 tiles (64 columns): worth it only from half the steps empty.
	fifth := func(p int) bool { return p%5 != 0 } // 26 of 128 empty
	if n := compact(panel(fifth), idx, 32); n != kc-26 {
		t.Errorf("a fifth empty on 32 tiles: compact kept %d, want %d", n, kc-26)
	}
	if n := compact(panel(fifth), idx, 4); n != -1 {
		t.Errorf("a fifth empty on 4 tiles: compact kept %d, want -1", n)
	}
	if n := compact(panel(func(p int) bool { return p%2 == 0 }), idx, 4); n != kc/2 {
		t.Errorf("half empty on 4 tiles: compact kept %d, want %d", n, kc/2)
	}
	if n := compact(panel(func(p int) bool { return p%2 == 0 }), idx, 2); n != -1 {
		t.Errorf("half empty on 2 tiles: compact kept %d, want -1", n)
	}
}
