package mnist

import (
	"math"
	"slices"
)

// evenLightMin is the least spread of the fitted background across the
// image (of the range 0–1) that evenLight corrects: below it the light is
// even, as on a scan or a drawing, and the pixels are left exactly as
// they are.
const evenLightMin = 0.02

// evenLight evens out the lighting of grey (w×h, values in [0, 1]), as
// in a photograph of paper lit from one side: it fits a smooth surface
// (a quadratic in x and y) to the outermost ring of pixels, taken to be
// background as Digit takes them, starting from the ring's median and
// refitting without the ring pixels far from the last fit (ink touching
// the edge) until those stay the same (at most 5 fits), and divides each pixel by
// the surface there, times the surface's mean over the ring, so that the
// paper is one grey again and the ink keeps its contrast with it. A dark
// background (mean below 0.1) has the surface's variation subtracted
// instead, where dividing by it would magnify noise. Images under 3
// pixels a side, a ring the fit cannot pin down, or a spread below
// evenLightMin are left alone.
func evenLight(grey []float32, w, h int) {
	if w < 3 || h < 3 {
		return
	}
	type sample struct{ x, y, v float64 }
	var ring []sample
	add := func(x, y int) { ring = append(ring, sample{float64(x), float64(y), float64(grey[y*w+x])}) }
	for x := range w {
		add(x, 0)
		add(x, h-1)
	}
	for y := 1; y < h-1; y++ {
		add(0, y)
		add(w-1, y)
	}
	basis := func(x, y float64) [6]float64 {
		u, v := x/float64(w-1)-0.5, y/float64(h-1)-0.5
		return [6]float64{1, u, v, u * u, u * v, v * v}
	}
	fit := func(keep func(s sample) bool) ([6]float64, bool) {
		var a [6][7]float64 // the normal equations, augmented
		for _, s := range ring {
			if !keep(s) {
				continue
			}
			f := basis(s.x, s.y)
			for i := range 6 {
				for j := range 6 {
					a[i][j] += f[i] * f[j]
				}
				a[i][6] += f[i] * s.v
			}
		}
		return solve6(a)
	}
	surface := func(c [6]float64, x, y float64) float64 {
		f := basis(x, y)
		var s float64
		for i := range 6 {
			s += c[i] * f[i]
		}
		return s
	}
	// Least squares, then again without the ring pixels far from the
	// fit (ink at the edge), until the pixels kept stay the same.
	// The first "fit" is the ring's median, a level no edge ink can
	// drag; those far from it are left out of the first least squares.
	keep := make([]bool, len(ring))
	vs := make([]float64, len(ring))
	for i, s := range ring {
		vs[i] = s.v
	}
	c := [6]float64{medianFloat64(vs)}
	for i := range keep {
		keep[i] = true
	}
	res := make([]float64, len(ring))
	for iter := range 6 {
		if iter > 0 {
			i := -1
			var ok bool
			if c, ok = fit(func(sample) bool { i++; return keep[i] }); !ok {
				return
			}
		}
		var kept []float64
		for i, s := range ring {
			res[i] = math.Abs(s.v - surface(c, s.x, s.y))
			if keep[i] {
				kept = append(kept, res[i])
			}
		}
		limit := math.Max(3*1.4826*medianFloat64(kept), 0.02)
		changed := false
		for i := range ring {
			if k := res[i] <= limit; k != keep[i] {
				keep[i], changed = k, true
			}
		}
		if !changed && iter > 0 {
			break
		}
	}
	lo, hi, mean := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range ring {
		v := surface(c, s.x, s.y)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		mean += v
	}
	mean /= float64(len(ring))
	if hi-lo < evenLightMin {
		return
	}
	for y := range h {
		for x := range w {
			l := surface(c, float64(x), float64(y))
			v := float64(grey[y*w+x])
			if mean >= 0.1 {
				v = v * mean / math.Max(l, 0.02)
			} else {
				v -= l - mean
			}
			grey[y*w+x] = float32(math.Min(math.Max(v, 0), 1))
		}
	}
}

// solve6 solves the 6 linear equations a (augmented with the right-hand
// side) by Gaussian elimination with partial pivoting; ok is false if
// they are singular or nearly so.
func solve6(a [6][7]float64) (x [6]float64, ok bool) {
	scale := 0.0
	for i := range 6 {
		scale = math.Max(scale, math.Abs(a[i][i]))
	}
	for col := range 6 {
		p := col
		for r := col + 1; r < 6; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if !(math.Abs(a[p][col]) > 1e-9*scale) {
			return x, false
		}
		a[col], a[p] = a[p], a[col]
		for r := col + 1; r < 6; r++ {
			f := a[r][col] / a[col][col]
			for k := col; k < 7; k++ {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	for i := 5; i >= 0; i-- {
		s := a[i][6]
		for k := i + 1; k < 6; k++ {
			s -= a[i][k] * x[k]
		}
		x[i] = s / a[i][i]
	}
	return x, true
}

// medianFloat64 sorts v and returns its middle value.
func medianFloat64(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
