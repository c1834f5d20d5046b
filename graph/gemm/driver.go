package gemm

import "unsafe"

// Cache blocking. The k dimension is cut into ⌈k/kcMax⌉ blocks of nearly
// equal length, a function of k alone, so that every element of C sums
// the same products in the same order however the work is split. Within
// a block an mr×kc sliver of A and a kc×nr panel of B stay in L1, an
// mcMax×kc block of A in L2 and a kc×ncMax block of B in L2 or L3.
const (
	kcMax = 256
	mcMax = 40 * mr  // 240 rows: a 240×256 block of A is 240 KiB
	ncMax = 128 * nr // 2048 columns
	align = 64 / 4   // packed buffers start on a 64-byte cache line
	tileN = mr * nr  // elements of the edge tile
)

// problem is one product C ← alpha·A·B + beta·C in the form the driver
// computes, A m×k, B k×n and C m×n, each read or written through its
// layout flag. Sgemm fills it either as given or swapped (Cᵀ = Bᵀ·Aᵀ),
// whichever pads less.
type problem struct {
	m, n, k int
	a       []float32
	lda     int
	aT      bool // A(i,p) is a[p*lda+i]; otherwise a[i*lda+p]
	b       []float32
	ldb     int
	bT      bool // B(p,j) is b[j*ldb+p]; otherwise b[p*ldb+j]
	c       []float32
	ldc     int
	cT      bool // C(i,j) is c[j*ldc+i]; otherwise c[i*ldc+j]

	alpha, beta float32

	// directA (only with aT) lets the kernel read full mr-row panels of
	// A where they lie, rows of mr values lda apart, instead of packing
	// them; directB (only without bT) the same for nr-column panels of B.
	// The kernel sees the same values either way, so the results are the
	// same bit for bit.
	directA, directB bool

	asm bool // use the assembly micro-kernel

	// sparse lets packA drop the steps of k where a packed panel of A is
	// all zeros (see compact); worth it where each panel serves many tiles.
	sparse bool
}

// sparseTiles is the fewest column tiles a panel of A must serve for the
// driver to look for its zero steps of k: scanning a panel costs about as
// much as one tile's work on it, and below 8 tiles compacting pays only
// where over a quarter of the steps are empty, which a hidden layer's
// data rarely is, so that the first quarter's probe costs more than it
// finds (the residual network's epoch: 6% faster from 4 to 8 tiles).
const sparseTiles = 8

// workspace holds one goroutine's packing buffers. They grow as needed
// and are kept, so a product in steady state allocates nothing.
type workspace struct {
	abuf, bbuf []float32 // packed A block, packed B block (64-byte aligned)
	tile       []float32 // an mr×nr edge tile (64-byte aligned)
	aidx       []int32   // for compacted panel r, at r·kc: the steps of k it kept
	akept      []int     // per panel of the A block: steps kept, or −1 if not compacted
}

// grow returns a 64-byte aligned slice of length n, reusing buf when it is
// long enough.
func grow(buf []float32, n int) []float32 {
	if len(buf) >= n {
		return buf
	}
	raw := make([]float32, n+align)
	off := int(uintptr(unsafe.Pointer(&raw[0]))%64) / 4
	if off != 0 {
		off = align - off
	}
	return raw[off : off+n]
}

// numBlocks returns the number of kc blocks of a k-long sum; block kb is
// [k·kb/nb, k·(kb+1)/nb).
func numBlocks(k int) int { return (k + kcMax - 1) / kcMax }

// region computes rows [i0, i1) and columns [j0, j1) of C, where i0 and j0
// are multiples of mr and nr, and i1 and j1 either are too or equal m and n.
func (pr *problem) region(ws *workspace, i0, i1, j0, j1 int) {
	if ws.tile == nil {
		ws.tile = grow(nil, tileN)
	}
	if pr.beta != 0 && pr.beta != 1 {
		pr.scale(i0, i1, j0, j1)
	}
	nb := numBlocks(pr.k)
	for kb := 0; kb < nb; kb++ {
		p0 := pr.k * kb / nb
		kc := pr.k*(kb+1)/nb - p0
		accumulate := kb > 0 || pr.beta != 0
		for jc := j0; jc < j1; jc += ncMax {
			jn := min(ncMax, j1-jc)
			pr.packB(ws, jc, jn, p0, kc)
			for ic := i0; ic < i1; ic += mcMax {
				im := min(mcMax, i1-ic)
				pr.packA(ws, ic, im, p0, kc, (jn+nr-1)/nr)
				pr.block(ws, ic, im, jc, jn, p0, kc, accumulate)
			}
		}
	}
}

// block runs the micro-kernel over the tiles of rows [ic, ic+im) and
// columns [jc, jc+jn) for the k block [p0, p0+kc), A and B packed.
func (pr *problem) block(ws *workspace, ic, im, jc, jn, p0, kc int, accumulate bool) {
	for q := 0; q*nr < jn; q++ {
		j := jc + q*nr
		nv := min(nr, jc+jn-j)
		var bp []float32
		sb := nr
		if pr.directB && nv == nr {
			bp, sb = pr.b[p0*pr.ldb+j:], pr.ldb
		} else {
			bp = ws.bbuf[q*kc*nr:]
		}
		for r := 0; r*mr < im; r++ {
			i := ic + r*mr
			mv := min(mr, ic+im-i)
			var ap []float32
			sa := mr
			if pr.directA && mv == mr {
				ap, sa = pr.a[p0*pr.lda+i:], pr.lda
			} else {
				ap = ws.abuf[r*kc*mr:]
			}
			steps, idx := kc, []int32(nil)
			if n := ws.akept[r]; n >= 0 {
				steps, idx = n, ws.aidx[r*kc:r*kc+n]
			}
			if mv == mr && nv == nr && !pr.cT {
				pr.kernel(steps, ap, sa, bp, sb, pr.c[i*pr.ldc+j:], pr.ldc, accumulate, idx)
				continue
			}
			// An edge tile (or a transposed C): the same kernel on the
			// zero-padded panels, into the tile, then into C.
			t := ws.tile[:tileN]
			pr.kernel(steps, ap, sa, bp, sb, t, nr, false, idx)
			pr.addTile(t, i, mv, j, nv, accumulate)
		}
	}
}

// kernel runs the selected micro-kernel, over the steps of k listed in
// idx when it is not nil.
func (pr *problem) kernel(kc int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, accumulate bool, idx []int32) {
	if pr.asm {
		var ip *int32
		if idx != nil {
			ip = unsafe.SliceData(idx)
		}
		kernelAVX2(kc, &a[0], sa, &b[0], sb, &c[0], ldc, pr.alpha, accumulate, ip)
		return
	}
	kernelGo(kc, a, sa, b, sb, c, ldc, pr.alpha, accumulate, idx)
}

// addTile stores (or, accumulating, adds) the top-left mv×nv of the tile t
// into C at (i, j). The additions round exactly as the kernel's own.
func (pr *problem) addTile(t []float32, i, mv, j, nv int, accumulate bool) {
	c, ldc := pr.c, pr.ldc
	if pr.cT {
		for jj := 0; jj < nv; jj++ {
			col := c[(j+jj)*ldc+i:][:mv]
			for ii := range col {
				if accumulate {
					col[ii] += t[ii*nr+jj]
				} else {
					col[ii] = t[ii*nr+jj]
				}
			}
		}
		return
	}
	for ii := 0; ii < mv; ii++ {
		row := c[(i+ii)*ldc+j:][:nv]
		src := t[ii*nr:][:nv]
		if accumulate {
			for jj, v := range src {
				row[jj] += v
			}
		} else {
			copy(row, src)
		}
	}
}

// scale multiplies rows [i0, i1) and columns [j0, j1) of C by beta.
func (pr *problem) scale(i0, i1, j0, j1 int) {
	if pr.cT {
		i0, i1, j0, j1 = j0, j1, i0, i1
	}
	for i := i0; i < i1; i++ {
		row := pr.c[i*pr.ldc+j0 : i*pr.ldc+j1]
		for j := range row {
			row[j] *= pr.beta
		}
	}
}

// packA packs rows [ic, ic+im) and k range [p0, p0+kc) of A into ws.abuf
// as mr-row panels (each serving the given number of column tiles),
// panel r at r·kc·mr holding A(ic+r·mr+ii, p0+p) at
// p·mr+ii, rows past im zero. Panels the kernel reads in place (directA)
// are skipped.
func (pr *problem) packA(ws *workspace, ic, im, p0, kc, tiles int) {
	panels := (im + mr - 1) / mr
	ws.abuf = grow(ws.abuf, panels*kc*mr+2) // packAN6 writes 2 past a panel
	if cap(ws.akept) < panels {
		ws.akept = make([]int, panels)
	}
	ws.akept = ws.akept[:panels]
	if pr.sparse && len(ws.aidx) < panels*kc {
		ws.aidx = make([]int32, panels*kc)
	}
	for r := 0; r < panels; r++ {
		ws.akept[r] = -1
		i := ic + r*mr
		mv := min(mr, im-r*mr)
		if pr.directA && mv == mr {
			continue
		}
		dst := ws.abuf[r*kc*mr : (r+1)*kc*mr]
		pr.packAPanel(dst, i, mv, p0, kc)
		if pr.sparse {
			ws.akept[r] = compact(dst, ws.aidx[r*kc:(r+1)*kc], tiles)
		}
	}
}

// packAPanel packs rows [i, i+mv) and k range [p0, p0+kc) of A into dst,
// an mr-row panel, rows past mv zero.
func (pr *problem) packAPanel(dst []float32, i, mv, p0, kc int) {
	a, lda := pr.a, pr.lda
	switch {
	case pr.aT && mv == mr:
		if pr.asm {
			packAT6(&dst[0], &a[p0*lda+i], lda, kc)
			break
		}
		for p := 0; p < kc; p++ {
			*(*[mr]float32)(dst[p*mr:]) = *(*[mr]float32)(a[(p0+p)*lda+i:])
		}
	case pr.aT:
		for p := 0; p < kc; p++ {
			d := (*[mr]float32)(dst[p*mr:])
			src := a[(p0+p)*lda+i:][:mv]
			for ii := range d {
				if ii < len(src) {
					d[ii] = src[ii]
				} else {
					d[ii] = 0
				}
			}
		}
	case mv == mr:
		from := 0
		if pr.asm && kc >= 8 {
			from = kc &^ 7
			packAN6(&dst[0], &a[i*lda+p0], lda, from)
		}
		packANGo(dst, a[i*lda+p0:], lda, from, kc)
	default:
		clear(dst)
		for ii := 0; ii < mv; ii++ {
			row := a[(i+ii)*lda+p0:][:kc]
			for p, v := range row {
				dst[p*mr+ii] = v
			}
		}
	}
}

// compact drops from the packed panel dst (kc steps of mr values) the
// steps whose values are all zero, moving the others down in order, and
// writes the kept steps' indices to idx. It returns how many it kept, or
// −1, leaving dst as it was, when too few are zero to be worth skipping
// for a panel that serves the given number of column tiles. A product
// with a zero factor adds exactly nothing to a finite sum, so skipping
// those steps changes no result; the data fed to networks is often mostly
// zeros (80% of MNIST's pixels), and its products then cost a fraction of
// their dense work. A NaN counts as non-zero.
//
// The scan and the moves cost about two kernel steps of one tile per step
// of k, and a skipped step saves one per tile: compacting pays when at
// least 2/tiles of the steps are empty (and at least 1 in 8). A panel
// whose first quarter has under half that share empty is taken as dense
// without scanning the rest: the data of a hidden layer is rarely zero
// across six rows, and on 64 columns (4 tiles) a panel with 20% empty
// steps costs more to compact than it saves.
func compact(dst []float32, idx []int32, tiles int) int {
	kc := len(idx)
	// need: the fewest empty steps worth compacting, out of kc.
	need := max(kc/8, 2*kc/max(tiles, 1))
	if need >= kc {
		return -1
	}
	kept := 0
	probe := kc / 4
	for p := 0; p < kc; p++ {
		g := (*[mr]float32)(dst[p*mr:])
		if g[0] != 0 || g[1] != 0 || g[2] != 0 || g[3] != 0 || g[4] != 0 || g[5] != 0 {
			kept++
		}
		// Empty share of the probe under half the needed share.
		if p+1 == probe && probe >= 16 && (probe-kept)*2*kc < need*probe {
			return -1
		}
	}
	if kc-kept < need {
		return -1
	}
	n := 0
	for p := 0; p < kc; p++ {
		g := *(*[mr]float32)(dst[p*mr:])
		if g[0] != 0 || g[1] != 0 || g[2] != 0 || g[3] != 0 || g[4] != 0 || g[5] != 0 {
			*(*[mr]float32)(dst[n*mr:]) = g
			idx[n] = int32(p)
			n++
		}
	}
	return n
}

// packANGo packs k range [from, kc) of a full panel of untransposed A,
// row ii of the panel starting at a[ii*lda].
func packANGo(dst, a []float32, lda, from, kc int) {
	r0 := a[:kc]
	r1 := a[lda:][:kc]
	r2 := a[2*lda:][:kc]
	r3 := a[3*lda:][:kc]
	r4 := a[4*lda:][:kc]
	r5 := a[5*lda:][:kc]
	for p := from; p < kc; p++ {
		d := (*[mr]float32)(dst[p*mr:])
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
	}
}

// packB packs columns [jc, jc+jn) and k range [p0, p0+kc) of B into
// ws.bbuf as nr-column panels, panel q at q·kc·nr holding B(p0+p,
// jc+q·nr+jj) at p·nr+jj, columns past jn zero. Panels the kernel reads in
// place (directB) are skipped.
func (pr *problem) packB(ws *workspace, jc, jn, p0, kc int) {
	panels := (jn + nr - 1) / nr
	ws.bbuf = grow(ws.bbuf, panels*kc*nr)
	b, ldb := pr.b, pr.ldb
	for q := 0; q < panels; q++ {
		j := jc + q*nr
		nv := min(nr, jn-q*nr)
		if pr.directB && nv == nr {
			continue
		}
		dst := ws.bbuf[q*kc*nr : (q+1)*kc*nr]
		switch {
		case !pr.bT && nv == nr:
			if pr.asm {
				packBN16(&dst[0], &b[p0*ldb+j], ldb, kc)
				break
			}
			for p := 0; p < kc; p++ {
				*(*[nr]float32)(dst[p*nr:]) = *(*[nr]float32)(b[(p0+p)*ldb+j:])
			}
		case !pr.bT:
			for p := 0; p < kc; p++ {
				d := (*[nr]float32)(dst[p*nr:])
				src := b[(p0+p)*ldb+j:][:nv]
				for jj := range d {
					if jj < len(src) {
						d[jj] = src[jj]
					} else {
						d[jj] = 0
					}
				}
			}
		case nv == nr:
			from := 0
			if pr.asm && kc >= 8 {
				from = kc &^ 7
				packBT16(&dst[0], &b[j*ldb+p0], ldb, from)
			}
			for p := from; p < kc; p++ {
				d := (*[nr]float32)(dst[p*nr:])
				for jj := range d {
					d[jj] = b[(j+jj)*ldb+p0+p]
				}
			}
		default:
			clear(dst)
			for jj := 0; jj < nv; jj++ {
				col := b[(j+jj)*ldb+p0:][:kc]
				for p, v := range col {
					dst[p*nr+jj] = v
				}
			}
		}
	}
}
