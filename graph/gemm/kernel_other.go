//go:build !amd64 || purego

package gemm

// hasAsm is false: this build has no assembly micro-kernel (another
// architecture, or the purego build tag), so the pure-Go kernel runs.
const hasAsm = false

// kernelAVX2 is never called in this build (useAsm is always false); it
// exists so that the driver compiles the same everywhere.
func kernelAVX2(kc int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha float32, accumulate bool, idx *int32) {
	panic("gemm: no assembly kernel in this build")
}

// The packing routines of the assembly build, never called here.

func packBN16(dst, src *float32, ld, kc int) { panic("gemm: no assembly in this build") }
func packBT16(dst, src *float32, ld, kc int) { panic("gemm: no assembly in this build") }
func packAT6(dst, src *float32, ld, kc int)  { panic("gemm: no assembly in this build") }
func packAN6(dst, src *float32, ld, kc int)  { panic("gemm: no assembly in this build") }
