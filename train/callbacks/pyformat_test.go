package callbacks

import (
	"math"
	"testing"
)

func TestPyRepr(t *testing.T) {
	for v, want := range map[float64]string{
		0.1: "0.1", 1: "1.0", 0: "0.0", -2.5: "-2.5", 1e-5: "1e-05", 1.5e-7: "1.5e-07", 0.0001: "0.0001",
		1e16: "1e+16", 123456789012345678: "1.2345678901234568e+17", 1e15: "1000000000000000.0",
		float64(float32(0.001)) * 0.1: "0.00010000000474974513", math.Inf(1): "inf", math.Inf(-1): "-inf",
	} {
		if got := pyRepr(v); got != want {
			t.Errorf("pyRepr(%v) = %q, want %q", v, got, want)
		}
	}
}
