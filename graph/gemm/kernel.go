package gemm

// The micro-kernel computes one mr×nr tile of C from an mr-row panel of A
// and an nr-column panel of B. Both implementations have the same
// contract (see kernelAVX2); they differ only in rounding (the assembly
// kernel fuses each multiply-add).
const (
	mr = 6  // rows of a tile
	nr = 16 // columns of a tile
)

// useAsm selects the assembly micro-kernel. It is true where the build has
// one and the CPU runs it; tests set it to false to run the pure-Go kernel
// on the same machine. It must not change while a product runs.
var useAsm = hasAsm

// kernelGo is the pure-Go micro-kernel: the same contract as kernelAVX2,
// with a, b and c as slices starting at the panels' and the tile's first
// element. It computes the tile in 2×4 blocks, whose eight sums the
// compiler keeps in registers, each over all of kc: every element is
// still the sum of its products in increasing p. With idx non-nil, step p
// reads B's row idx[p].
func kernelGo(kc int, a []float32, sa int, b []float32, sb int, c []float32, ldc int, alpha float32, accumulate bool, idx []int32) {
	if kc > 0 {
		a = a[:(kc-1)*sa+mr]
	}
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := 0; p < kc; p++ {
				pb := p
				if idx != nil {
					pb = int(idx[p])
				}
				ap := a[p*sa+i:][:2]
				bp := b[pb*sb+j:][:4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			r0 := (*[4]float32)(c[i*ldc+j:])
			r1 := (*[4]float32)(c[(i+1)*ldc+j:])
			if accumulate {
				r0[0] += float32(alpha * c00)
				r0[1] += float32(alpha * c01)
				r0[2] += float32(alpha * c02)
				r0[3] += float32(alpha * c03)
				r1[0] += float32(alpha * c10)
				r1[1] += float32(alpha * c11)
				r1[2] += float32(alpha * c12)
				r1[3] += float32(alpha * c13)
			} else {
				r0[0] = float32(alpha * c00)
				r0[1] = float32(alpha * c01)
				r0[2] = float32(alpha * c02)
				r0[3] = float32(alpha * c03)
				r1[0] = float32(alpha * c10)
				r1[1] = float32(alpha * c11)
				r1[2] = float32(alpha * c12)
				r1[3] = float32(alpha * c13)
			}
		}
	}
}
