package graph

import (
	"math"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Padding is Keras's padding mode for convolutions and pooling. A value
// other than Valid and Same is an error wherever one is used (ConvOutput,
// Conv2D, MaxPool2D).
type Padding int

const (
	// Valid pads nothing: a window never leaves the input, and the output
	// has floor((in − k)/s) + 1 positions along an axis.
	Valid Padding = iota
	// Same pads so that the output has ceil(in/s) positions along an axis.
	// The total padding max((out − 1)·s + k − in, 0) is split as
	// TensorFlow splits it: total/2 before (top, left), the rest after
	// (bottom, right).
	Same
)

// String returns the Keras word for p, "valid" or "same", or
// "Padding(n)" for a value that is neither.
func (p Padding) String() string {
	switch p {
	case Valid:
		return "valid"
	case Same:
		return "same"
	}
	return "Padding(" + strconv.Itoa(int(p)) + ")"
}

// ParsePadding returns the Padding Keras names s: "valid" or "same", in
// any case (Keras lower-cases it too). Any other string is an error that
// quotes it.
func ParsePadding(s string) (Padding, error) {
	switch strings.ToLower(s) {
	case "valid":
		return Valid, nil
	case "same":
		return Same, nil
	}
	return 0, errors.Errorf("padding %q: want \"valid\" or \"same\"", s)
}

// ConvOutput returns the number of positions a window of size k moved by
// stride s takes along an input axis of size in, under padding p: the
// output size of a convolution or pooling along that axis. A size,
// kernel or stride below 1, an unknown padding, or a kernel larger than
// the input under Valid (no position at all) is an error naming the
// numbers.
func ConvOutput(in, k, s int, p Padding) (int, error) {
	if in < 1 || k < 1 || s < 1 {
		return 0, errors.Errorf("input size %d, window %d and stride %d must all be at least 1", in, k, s)
	}
	switch p {
	case Valid:
		if k > in {
			return 0, errors.Errorf("window %d is larger than the input size %d under valid padding", k, in)
		}
		return (in-k)/s + 1, nil
	case Same:
		return (in + s - 1) / s, nil
	}
	return 0, errors.Errorf("unknown padding %v", p)
}

// padBefore returns the padding before the first element (top or left)
// along an axis of size in with output size out: TensorFlow's rule.
func padBefore(in, out, k, s int, p Padding) int {
	if p != Same {
		return 0
	}
	return max((out-1)*s+k-in, 0) / 2
}

// window is the geometry of a 2-D sliding window over a channels-last
// (batch, h, w, c) input: the window size, its strides, the output size
// and the padding before the first row and column. Conv2D and MaxPool2D
// share it.
type window struct {
	batch, h, w, c int // the input
	kh, kw         int // the window
	sh, sw         int // the strides
	oh, ow         int // the output
	padT, padL     int // padding above and to the left
}

// newWindow returns the geometry of a kh×kw window with strides (sh, sw)
// and padding p over an input of shape xs, or an error naming the axis and
// the shape when there is no output position.
func newWindow(xs tensor.Shape, kh, kw, sh, sw int, p Padding) (window, error) {
	if xs.Dims() != 4 {
		return window{}, errors.Errorf("want a 4-D (batch, height, width, channels) input, got shape %v", xs)
	}
	g := window{batch: xs[0], h: xs[1], w: xs[2], c: xs[3], kh: kh, kw: kw, sh: sh, sw: sw}
	if g.batch < 1 || g.c < 1 {
		return window{}, errors.Errorf("input shape %v has an empty batch or no channels", xs)
	}
	var err error
	if g.oh, err = ConvOutput(g.h, kh, sh, p); err != nil {
		return window{}, errors.Wrapf(err, "height of input %v", xs)
	}
	if g.ow, err = ConvOutput(g.w, kw, sw, p); err != nil {
		return window{}, errors.Wrapf(err, "width of input %v", xs)
	}
	if xs.TotalSize() > math.MaxInt32 {
		return window{}, errors.Errorf("input shape %v has more than 2³¹−1 elements", xs)
	}
	g.padT = padBefore(g.h, g.oh, kh, sh, p)
	g.padL = padBefore(g.w, g.ow, kw, sw, p)
	return g, nil
}

// rows returns the number of window positions, batch·oh·ow: the rows of
// the im2col matrix.
func (g *window) rows() int { return g.batch * g.oh * g.ow }

// span returns the columns kx0 ≤ kx < kx1 of the window whose input
// column x0 + kx lies inside the input, for a window whose first column is
// at x0 (negative in the left padding).
func (g *window) span(x0 int) (kx0, kx1 int) {
	return max(0, -x0), min(g.kw, g.w-x0)
}

// im2col writes the window at each output position of x as one row of
// cols, a (batch·oh·ow, kh·kw·c) matrix: row (b, oy, ox), column
// (ky, kx, ch) holds x[b, oy·sh − padT + ky, ox·sw − padL + kx, ch], or 0
// where that lies in the padding. The kw·c values of one window row are
// contiguous in a channels-last x, so each is one copy.
func im2col[T float32 | float64](g *window, x, cols []T) {
	par.For(g.batch, 1, func(lo, hi int) { im2colSamples(g, x, cols, lo, hi) })
}

// im2colSamples does im2col's work for samples [lo, hi).
func im2colSamples[T float32 | float64](g *window, x, cols []T, lo, hi int) {
	run, k := g.kw*g.c, g.kh*g.kw*g.c
	row := lo * g.oh * g.ow
	for b := lo; b < hi; b++ {
		xb := x[b*g.h*g.w*g.c : (b+1)*g.h*g.w*g.c]
		for oy := 0; oy < g.oh; oy++ {
			y0 := oy*g.sh - g.padT
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.padL
				kx0, kx1 := g.span(x0)
				dst := cols[row*k : (row+1)*k]
				row++
				for ky := 0; ky < g.kh; ky++ {
					d := dst[ky*run : (ky+1)*run]
					iy := y0 + ky
					if iy < 0 || iy >= g.h || kx0 >= kx1 {
						clear(d)
						continue
					}
					clear(d[:kx0*g.c])
					src := (iy*g.w + x0 + kx0) * g.c
					copy(d[kx0*g.c:kx1*g.c], xb[src:src+(kx1-kx0)*g.c])
					clear(d[kx1*g.c:])
				}
			}
		}
	}
}

// col2im is im2col's adjoint: it sets dx to zero and adds each element of
// cols to the input element im2col copied it from; padding positions are
// dropped. Positions are visited in order, so the sums are the same run
// after run.
func col2im[T float32 | float64](g *window, cols, dx []T) {
	par.For(g.batch, 1, func(lo, hi int) { col2imSamples(g, cols, dx, lo, hi) })
}

// col2imSamples does col2im's work for samples [lo, hi), whose elements of
// dx no other sample's columns touch.
func col2imSamples[T float32 | float64](g *window, cols, dx []T, lo, hi int) {
	size := g.h * g.w * g.c
	clear(dx[lo*size : hi*size])
	run, k := g.kw*g.c, g.kh*g.kw*g.c
	row := lo * g.oh * g.ow
	for b := lo; b < hi; b++ {
		xb := dx[b*size : (b+1)*size]
		for oy := 0; oy < g.oh; oy++ {
			y0 := oy*g.sh - g.padT
			for ox := 0; ox < g.ow; ox++ {
				x0 := ox*g.sw - g.padL
				kx0, kx1 := g.span(x0)
				src := cols[row*k : (row+1)*k]
				row++
				if kx0 >= kx1 {
					continue
				}
				for ky := 0; ky < g.kh; ky++ {
					iy := y0 + ky
					if iy < 0 || iy >= g.h {
						continue
					}
					s := src[ky*run+kx0*g.c : ky*run+kx1*g.c]
					d := xb[(iy*g.w+x0+kx0)*g.c:]
					d = d[:len(s)]
					for i, v := range s {
						d[i] += v
					}
				}
			}
		}
	}
}

// checkFloatNode returns an error unless n is a float32 or float64 tensor
// node of dims dimensions (any number when dims is 0). what names n in
// the error; want describes the axes.
func checkFloatNode(what string, n *G.Node, dims int, want string) error {
	if n == nil {
		return errors.Errorf("%s: nil node", what)
	}
	if dims > 0 && n.Dims() != dims {
		return errors.Errorf("%s needs a %d-D %s node, got %v with shape %v", what, dims, want, n.Name(), n.Shape())
	}
	if dt := n.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("%s needs float32 or float64, got %v (node %v, shape %v)", what, dt, n.Name(), n.Shape())
	}
	return nil
}

// shapeIs reports whether s is exactly dims: unlike tensor.Shape.Eq it does
// not equate (1, n) with (n).
func shapeIs(s tensor.Shape, dims ...int) bool {
	if len(s) != len(dims) {
		return false
	}
	for i, d := range dims {
		if s[i] != d {
			return false
		}
	}
	return true
}

// knownShape returns a DimSizer as a tensor.Shape of dims dimensions, or
// an error naming the op.
func knownShape(op string, d G.DimSizer, dims int) (tensor.Shape, error) {
	s, ok := d.(tensor.Shape)
	if !ok || s.Dims() != dims {
		return nil, errors.Errorf("%s needs a known %d-D shape, got %v", op, dims, d)
	}
	return s, nil
}
