package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The panic messages of gonum's BLAS (gonum.org/v1/gonum/blas/gonum).
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// Implementation is gonum's BLAS with Sgemm replaced by this package's. It
// satisfies gonum's blas.Float32, Float64, Complex64 and Complex128, and so
// Gorgonia's BLAS interface.
type Implementation struct{ gonum.Implementation }

// Sgemm computes C ← alpha·op(A)·op(B) + beta·C like gonum's Sgemm,
// validating its arguments the same way (the same panics, in the same
// order), with this package's Sgemm.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	switch tA {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	switch tB {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
	Sgemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Tuning, by shape alone (never by the number of workers, so that the
// choice cannot change a result):
var (
	// parallelMin is the least m·n·k worth splitting across workers;
	// smaller products run on the calling goroutine.
	parallelMin = 1 << 18

	// swapMode and directMode override the automatic choices in tests:
	// 0 chooses by shape, 1 never swaps / never reads in place, 2 always
	// does where the layout allows it. splitMode likewise: 0 by shape, 1
	// by rows, 2 by columns. sparseMode: 0 skips A's zero steps of k
	// where the shape makes it worth it, 1 never does.
	swapMode, directMode, splitMode, sparseMode int
)

// Sgemm computes C ← alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(A) is m×k (A is m×k, or k×m when transA) and op(B) is k×n (B is
// k×n, or n×k when transB); C is m×n. lda, ldb and ldc are the row strides.
// With beta 0, C is not read (NaNs in it do not propagate); with alpha 0,
// A and B are not read. Only the m×n elements of C are written: the
// padding between rows (ldc > n) is left alone.
//
// It panics on invalid arguments exactly as gonum's Sgemm does (negative
// sizes, leading dimensions below the row widths, slices too short).
//
// The result is the same bit for bit on every run and for any GOMAXPROCS:
// each element of C is computed by the same kernel summing the same
// products in the same order, however the work is split.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		if beta != 1 {
			scaleC(m, n, beta, c, ldc)
		}
		return
	}
	pr := problem{
		m: m, n: n, k: k,
		a: a, lda: lda, aT: transA,
		b: b, ldb: ldb, bT: transB,
		c: c, ldc: ldc,
		alpha: alpha, beta: beta,
		asm: useAsm,
	}
	if chooseSwap(m, n, k) {
		// Cᵀ = op(B)ᵀ·op(A)ᵀ: the same products summed in the same order.
		pr = problem{
			m: n, n: m, k: k,
			a: b, lda: ldb, aT: !transB,
			b: a, ldb: lda, bT: !transA,
			c: c, ldc: ldc, cT: true,
			alpha: alpha, beta: beta,
			asm: useAsm,
		}
	}
	pr.chooseDirect()
	pr.sparse = pr.n >= sparseTiles*nr && sparseMode != 1
	if int64(m)*int64(n)*int64(k) >= int64(parallelMin) {
		if w := numWorkers(); w > 1 {
			splitCols, parts := pr.split(w)
			if parts > 1 {
				pr.parallel(splitCols, parts)
				return
			}
		}
	}
	pr.serial()
}

// Costs in cycles, roughly (measured on Zen), for choosing by shape: a
// kernel call costs callCost plus 6 cycles a step of k; a tile that goes
// through the edge tile (a partial tile) costs tileCost more, and 1.5
// cycles an element to add into C, 6 cycles when C is transposed (all
// tiles then go through the edge tile).
const (
	callCost = 40
	tileCost = 20
)

// kernelCost estimates the cycles of an m×n×k product, C transposed or not.
func kernelCost(m, n, k int, cT bool) int64 {
	tm, tn := int64(m+mr-1)/mr, int64(n+nr-1)/nr
	call := int64(mr*nr/16)*int64(k) + callCost
	mn := int64(m) * int64(n)
	if cT {
		return tm*tn*(call+tileCost) + 6*mn
	}
	full := int64(m/mr) * int64(n/nr)
	edgeTiles := tm*tn - full
	edgeElems := mn - full*mr*nr
	return tm*tn*call + edgeTiles*tileCost + 3*edgeElems/2
}

// chooseSwap reports whether to compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, which
// pays when it wastes much less of the tiles (n = 10, say: 16 columns in a
// tile but 12 rows in two) and k is long enough to hide writing C
// transposed.
func chooseSwap(m, n, k int) bool {
	switch swapMode {
	case 1:
		return false
	case 2:
		return true
	}
	return kernelCost(n, m, k, true) < kernelCost(m, n, k, false)
}

// chooseDirect decides whether the kernel reads panels of A and B in
// place. That saves packing where a panel is used by few tiles: a panel
// of A by the n/nr tiles of its row, one of B by the m/mr of its column;
// packed panels stay in cache better when they are used by many. A panel
// of A in place uses 6 values of each cache line it touches, so only an A
// that fits in L2 (2¹⁶ values) is read in place.
func (pr *problem) chooseDirect() {
	switch directMode {
	case 1:
		return
	case 2:
		pr.directA, pr.directB = pr.aT, !pr.bT
		return
	}
	pr.directA = pr.aT && pr.n <= 2*nr && int64(pr.m)*int64(pr.k) <= 1<<16
	pr.directB = !pr.bT && pr.m <= 256
}

// split chooses how to cut C into at most w parts of whole tiles, by
// columns or by rows, the one with the least work on the busiest part:
// its tiles, and its packing (every part packs the whole of the operand
// that the split does not cut, unless read in place), per step of k.
func (pr *problem) split(w int) (splitCols bool, parts int) {
	tm, tn := (pr.m+mr-1)/mr, (pr.n+nr-1)/nr
	const step = mr * nr / 16 // cycles a step of k of a tile
	packA, packB := 1, 1      // packing: half a cycle an element
	if pr.directA {
		packA = 0
	}
	if pr.directB {
		packB = 0
	}
	pr1, pc := min(w, tm), min(w, tn)
	rt, ct := (tm+pr1-1)/pr1, (tn+pc-1)/pc // tiles a part, across the cut
	rows := rt*tn*step + (packB*pr.n+packA*rt*mr)/2
	cols := ct*tm*step + (packA*pr.m+packB*ct*nr)/2
	switch {
	case splitMode == 1 && pr1 > 1, splitMode == 2 && pc < 2:
		return false, pr1
	case splitMode == 2, splitMode == 1:
		return true, pc
	case pc > 1 && (cols <= rows || pr1 < 2):
		return true, pc
	}
	return false, pr1
}

// scaleC sets C to beta·C (to zero when beta is 0, not reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// check panics, with gonum's messages and in gonum's order, on arguments
// that are not a valid product.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	if transA {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if transB {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	if transA {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else if len(a) < (m-1)*lda+k {
		panic(shortA)
	}
	if transB {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
}
