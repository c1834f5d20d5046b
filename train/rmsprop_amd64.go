//go:build !purego

package train

import "golang.org/x/sys/cpu"

// useAVX says whether the plain RMSprop step runs on the AVX kernel; tests
// switch it off to compare with the Go loop.
var useAVX = cpu.X86.HasAVX

//go:noescape
func rmspropAVX(w, grad, v *float32, n int, lr, rho, oneMinusRho, eps float32)

// rmspropPlain applies the step without momentum or centering to the first
// len(w) rounded down to 8 weights with AVX, when the CPU has it, and
// returns how many it did; the Go loop does the rest. The results are the
// Go loop's to the bit.
func rmspropPlain(w, g, v []float32, lr, rho, eps float32) int {
	n := len(w) &^ 7
	if !useAVX || n == 0 {
		return 0
	}
	_, _ = g[n-1], v[n-1]
	rmspropAVX(&w[0], &g[0], &v[0], n, lr, rho, 1-rho, eps)
	return n
}
