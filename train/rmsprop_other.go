//go:build !amd64 || purego

package train

var useAVX = false

// rmspropPlain does nothing where there is no AVX kernel: the Go loop does
// every weight.
func rmspropPlain(w, g, v []float32, lr, rho, eps float32) int { return 0 }
