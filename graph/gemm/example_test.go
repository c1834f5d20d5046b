package gemm_test

import (
	"fmt"

	"github.com/gokeras/gokeras/graph/gemm"
)

// A 2×3 matrix times a 3×2 matrix, both row-major.
func ExampleSgemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		7, 8,
		9, 10,
		11, 12,
	}
	c := make([]float32, 2*2)
	gemm.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c[0:2])
	fmt.Println(c[2:4])
	// Output:
	// [58 64]
	// [139 154]
}
