//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// hasAsm reports whether this build has the assembly micro-kernel and the
// CPU can run it (AVX2 and FMA).
var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernelAVX2 is the 6×16 micro-kernel in kernel_amd64.s. Over kc steps p it
// accumulates acc[i][j] += A(i,p)·B(p,j) with fused multiply-adds, in
// increasing p, where A(i,p) is a[p*sa+i] (i < 6) and B(p,j) is b[p*sb+j]
// (j < 16); then it writes C(i,j) = alpha·acc[i][j] (accumulate false) or
// C(i,j) += alpha·acc[i][j] (accumulate true), C(i,j) being c[i*ldc+j].
// With accumulate false, C is not read. With idx non-nil, step p reads
// B(idx[p], j) instead of B(p, j): the steps of k that A's panel does not
// need (all its values zero) are left out.
//
//go:noescape
func kernelAVX2(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha float32, accumulate bool, idx *int32)

// The packing routines in pack_amd64.s: the same layouts as the pure-Go
// packing, faster. packBN16 and packAT6 copy rows of 16 and 6 values;
// packBT16 and packAN6 transpose 8×8 blocks, so their kc must be a
// multiple of 8, and packAN6 writes two zeros past its panel.

//go:noescape
func packBN16(dst, src *float32, ld, kc int)

//go:noescape
func packBT16(dst, src *float32, ld, kc int)

//go:noescape
func packAT6(dst, src *float32, ld, kc int)

//go:noescape
func packAN6(dst, src *float32, ld, kc int)
