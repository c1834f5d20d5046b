package mnist

import (
	"math"
	"slices"
	"testing"
)

// TestEvenLight checks evenLight on hand-made images: paper lit by a
// linear or a quadratic gradient comes out one grey (the ring's mean),
// with a dark ink stroke keeping its ratio to the paper; evenly lit
// paper, even with ink touching the edge, is left bit for bit; images too
// small to fit are left alone.
func TestEvenLight(t *testing.T) {
	const w, h = 40, 30
	light := map[string]func(x, y float64) float64{
		"linear":    func(x, y float64) float64 { return 1 - 0.5*x/(w-1) - 0.2*y/(h-1) },
		"quadratic": func(x, y float64) float64 { u := x/(w-1) - 0.3; return 0.9 - 0.6*u*u - 0.1*y/(h-1) },
	}
	for name, l := range light {
		t.Run(name, func(t *testing.T) {
			grey := make([]float32, w*h)
			var ringSum float64
			var n int
			for y := range h {
				for x := range w {
					r := 1.0 // paper
					if x >= 15 && x < 18 && y >= 5 && y < 25 {
						r = 0.1 // a stroke of ink
					}
					grey[y*w+x] = float32(r * l(float64(x), float64(y)))
					if x == 0 || y == 0 || x == w-1 || y == h-1 {
						ringSum += l(float64(x), float64(y))
						n++
					}
				}
			}
			evenLight(grey, w, h)
			mean := ringSum / float64(n)
			for y := range h {
				for x := range w {
					want := mean
					if x >= 15 && x < 18 && y >= 5 && y < 25 {
						want = 0.1 * mean
					}
					if d := math.Abs(float64(grey[y*w+x]) - want); d > 1e-4 {
						t.Fatalf("pixel (%d, %d) = %.5f, want %.5f", x, y, grey[y*w+x], want)
					}
				}
			}
		})
	}
	t.Run("even light left alone", func(t *testing.T) {
		grey := make([]float32, w*h)
		for i := range grey {
			grey[i] = 0.8
		}
		for y := range h {
			grey[y*w] = 0.1 // ink along the left edge
		}
		grey[5*w+7] = 0.3
		want := slices.Clone(grey)
		evenLight(grey, w, h)
		if !slices.Equal(grey, want) {
			t.Error("evenly lit paper changed")
		}
	})
	t.Run("too small", func(t *testing.T) {
		grey := []float32{0.1, 0.9, 0.5, 0.7}
		want := slices.Clone(grey)
		evenLight(grey, 2, 2)
		if !slices.Equal(grey, want) {
			t.Error("a 2×2 image changed")
		}
	})
}
