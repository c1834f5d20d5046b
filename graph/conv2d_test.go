package graph

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convRand returns a float64 tensor of shape s holding U(lo, hi) samples.
func convRand(rng *rand.Rand, lo, hi float64, s ...int) *tensor.Dense {
	d := make([]float64, tensor.Shape(s).TotalSize())
	for i := range d {
		d[i] = lo + (hi-lo)*rng.Float64()
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
}

// convNode returns a node of g holding a copy of v as dt (float32 or
// float64).
func convNode(g *G.ExprGraph, name string, v *tensor.Dense, dt tensor.Dtype) *G.Node {
	src := v.Data().([]float64)
	var c *tensor.Dense
	if dt == tensor.Float32 {
		d := make([]float32, len(src))
		for i, x := range src {
			d[i] = float32(x)
		}
		c = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(d))
	} else {
		c = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(append([]float64(nil), src...)))
	}
	return G.NodeFromAny(g, c, G.WithName(name))
}

// convAs returns v's values as the graph holds them for type dt: rounded
// to float32 for Float32.
func convAs(v *tensor.Dense, dt tensor.Dtype) []float64 {
	out := append([]float64(nil), v.Data().([]float64)...)
	if dt == tensor.Float32 {
		for i, x := range out {
			out[i] = float64(float32(x))
		}
	}
	return out
}

// convRun runs g once and returns the values of nodes as float64 slices
// (copies), with their shapes.
func convRun(t *testing.T, g *G.ExprGraph, nodes ...*G.Node) ([][]float64, []tensor.Shape) {
	t.Helper()
	vals := make([]G.Value, len(nodes))
	for i, n := range nodes {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	out := make([][]float64, len(nodes))
	shapes := make([]tensor.Shape, len(nodes))
	for i, v := range vals {
		out[i] = convFloat64s(t, v)
		shapes[i] = v.Shape().Clone()
	}
	return out, shapes
}

// convFloat64s returns a copy of a float32 or float64 tensor's values as
// float64.
func convFloat64s(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	t.Fatalf("want float32 or float64 data, got %T", v.Data())
	return nil
}

// naiveOutput returns the output size and the padding before the first
// element along one axis, written out plainly from Keras's and
// TensorFlow's definitions.
func naiveOutput(n, k, s int, p Padding) (size, before int) {
	if p == Valid {
		return (n-k)/s + 1, 0
	}
	size = int(math.Ceil(float64(n) / float64(s)))
	total := (size-1)*s + k - n
	if total < 0 {
		total = 0
	}
	return size, total / 2
}

// naiveConv2D is Conv2D as nested loops over float64 values: every output
// element is the bias plus the sum over the window, skipping positions
// outside the input.
func naiveConv2D(xv, kv, bv []float64, xs, ks tensor.Shape, st [2]int, p Padding) ([]float64, tensor.Shape) {
	B, H, W, C := xs[0], xs[1], xs[2], xs[3]
	KH, KW, F := ks[0], ks[1], ks[3]
	OH, top := naiveOutput(H, KH, st[0], p)
	OW, left := naiveOutput(W, KW, st[1], p)
	out := make([]float64, B*OH*OW*F)
	for b := 0; b < B; b++ {
		for i := 0; i < OH; i++ {
			for j := 0; j < OW; j++ {
				for f := 0; f < F; f++ {
					sum := bv[f]
					for ky := 0; ky < KH; ky++ {
						for kx := 0; kx < KW; kx++ {
							iy, ix := i*st[0]-top+ky, j*st[1]-left+kx
							if iy < 0 || iy >= H || ix < 0 || ix >= W {
								continue
							}
							for c := 0; c < C; c++ {
								sum += xv[((b*H+iy)*W+ix)*C+c] * kv[((ky*KW+kx)*C+c)*F+f]
							}
						}
					}
					out[((b*OH+i)*OW+j)*F+f] = sum
				}
			}
		}
	}
	return out, tensor.Shape{B, OH, OW, F}
}

// convCase is a convolution or pooling geometry for the tests.
type convCase struct {
	batch, h, w, c int
	filters        int // Conv2D only
	k              [2]int
	s              [2]int
}

func (tc convCase) String() string {
	return fmt.Sprintf("%dx%dx%dx%d_k%dx%d_s%dx%d_f%d", tc.batch, tc.h, tc.w, tc.c, tc.k[0], tc.k[1], tc.s[0], tc.s[1], tc.filters)
}

// convCases covers odd and even sizes, 1–4 channels, 1–5 filters, 1×1,
// 2×3, 3×3 and whole-input windows, strides 1, 2, 2×1 and 1×2, and a
// window larger than the input (an error under Valid).
var convCases = []convCase{
	{1, 5, 7, 1, 1, [2]int{3, 3}, [2]int{1, 1}},
	{2, 6, 6, 3, 4, [2]int{3, 3}, [2]int{2, 2}},
	{3, 5, 7, 2, 5, [2]int{2, 3}, [2]int{2, 1}},
	{1, 28, 28, 4, 5, [2]int{3, 3}, [2]int{1, 1}},
	{2, 28, 28, 1, 3, [2]int{3, 3}, [2]int{2, 2}},
	{2, 6, 6, 4, 2, [2]int{1, 1}, [2]int{1, 1}},
	{3, 5, 7, 3, 2, [2]int{1, 1}, [2]int{2, 2}},
	{1, 7, 5, 2, 3, [2]int{2, 3}, [2]int{1, 1}},
	{2, 6, 7, 2, 2, [2]int{3, 3}, [2]int{1, 2}},
	{1, 3, 3, 1, 1, [2]int{3, 3}, [2]int{1, 1}},
	{2, 6, 6, 2, 1, [2]int{2, 2}, [2]int{2, 2}},
	{1, 2, 5, 1, 2, [2]int{3, 3}, [2]int{2, 2}},
}

func TestParsePadding(t *testing.T) {
	tests := []struct {
		in      string
		want    Padding
		wantErr string
	}{
		{"valid", Valid, ""},
		{"same", Same, ""},
		{"SAME", Same, ""},
		{"Valid", Valid, ""},
		{"full", 0, `"full"`},
		{"", 0, `""`},
		{"same ", 0, `"same "`},
	}
	for _, tc := range tests {
		got, err := ParsePadding(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParsePadding(%q): error %v, want one containing %s", tc.in, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("ParsePadding(%q): %v", tc.in, err)
		case got != tc.want:
			t.Errorf("ParsePadding(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for p, want := range map[Padding]string{Valid: "valid", Same: "same", Padding(7): "Padding(7)", Padding(-1): "Padding(-1)"} {
		if got := p.String(); got != want {
			t.Errorf("Padding(%d).String() = %q, want %q", int(p), got, want)
		}
		if p == Valid || p == Same {
			if back, err := ParsePadding(p.String()); err != nil || back != p {
				t.Errorf("ParsePadding(%q) = %v, %v: not the round trip", p.String(), back, err)
			}
		}
	}
}

func TestConvOutput(t *testing.T) {
	tests := []struct {
		in, k, s int
		p        Padding
		want     int
		wantErr  string
	}{
		{5, 3, 1, Valid, 3, ""},
		{5, 3, 2, Valid, 2, ""},
		{6, 3, 2, Valid, 2, ""},
		{28, 3, 1, Valid, 26, ""},
		{28, 2, 2, Valid, 14, ""},
		{3, 3, 1, Valid, 1, ""},
		{7, 1, 1, Valid, 7, ""},
		{5, 3, 1, Same, 5, ""},
		{5, 3, 2, Same, 3, ""},
		{6, 3, 2, Same, 3, ""},
		{7, 2, 3, Same, 3, ""},
		{2, 3, 2, Same, 1, ""},
		{1, 5, 1, Same, 1, ""},
		{2, 3, 1, Valid, 0, "larger than the input size 2"},
		{0, 1, 1, Valid, 0, "input size 0"},
		{5, 0, 1, Same, 0, "window 0"},
		{5, 3, 0, Valid, 0, "stride 0"},
		{5, 3, -1, Same, 0, "stride -1"},
		{5, 3, 1, Padding(5), 0, "unknown padding Padding(5)"},
	}
	for _, tc := range tests {
		got, err := ConvOutput(tc.in, tc.k, tc.s, tc.p)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ConvOutput(%d, %d, %d, %v): %d, error %v, want an error containing %q", tc.in, tc.k, tc.s, tc.p, got, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("ConvOutput(%d, %d, %d, %v): %v", tc.in, tc.k, tc.s, tc.p, err)
		case got != tc.want:
			t.Errorf("ConvOutput(%d, %d, %d, %v) = %d, want %d", tc.in, tc.k, tc.s, tc.p, got, tc.want)
		}
		if tc.wantErr == "" {
			if want, _ := naiveOutput(tc.in, tc.k, tc.s, tc.p); want != got {
				t.Errorf("ConvOutput(%d, %d, %d, %v) = %d, the test's own formula %d", tc.in, tc.k, tc.s, tc.p, got, want)
			}
		}
	}
}

func TestConv2DMatchesNaiveLoops(t *testing.T) {
	for i, tc := range convCases {
		for _, p := range []Padding{Valid, Same} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				t.Run(fmt.Sprintf("%v_%v_%v", tc, p, dt), func(t *testing.T) {
					rng := NewRand(uint64(100 + i))
					x := convRand(rng, -1, 1, tc.batch, tc.h, tc.w, tc.c)
					k := convRand(rng, -1, 1, tc.k[0], tc.k[1], tc.c, tc.filters)
					b := convRand(rng, -1, 1, tc.filters)
					g := G.NewGraph()
					y, err := Conv2D(convNode(g, "x", x, dt), convNode(g, "k", k, dt), convNode(g, "b", b, dt), tc.s, p)
					if p == Valid && (tc.h < tc.k[0] || tc.w < tc.k[1]) {
						if err == nil || !strings.Contains(err.Error(), "larger than the input") {
							t.Fatalf("a %v kernel over %dx%d under valid padding: error %v, want one saying it is larger", tc.k, tc.h, tc.w, err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					// The naive loops see the values the graph saw.
					want, wantShape := naiveConv2D(convAs(x, dt), convAs(k, dt), convAs(b, dt), x.Shape(), k.Shape(), tc.s, p)
					if !y.Shape().Eq(wantShape) {
						t.Fatalf("node shape %v, want %v", y.Shape(), wantShape)
					}
					got, shapes := convRun(t, g, y)
					if !shapes[0].Eq(wantShape) {
						t.Fatalf("value shape %v, want %v", shapes[0], wantShape)
					}
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 1e-5
					}
					for j := range want {
						if d := math.Abs(got[0][j] - want[j]); d > tol*math.Max(1, math.Abs(want[j])) {
							t.Fatalf("element %d: %v, want %v", j, got[0][j], want[j])
						}
					}
				})
			}
		}
	}
}

// TestIm2colWritesEveryElement fills the im2col matrix with NaN first: a
// reused buffer holds the last run's values, so every element, padding
// included, must be written.
func TestIm2colWritesEveryElement(t *testing.T) {
	for i, tc := range convCases {
		for _, p := range []Padding{Valid, Same} {
			xs := tensor.Shape{tc.batch, tc.h, tc.w, tc.c}
			g, err := newWindow(xs, tc.k[0], tc.k[1], tc.s[0], tc.s[1], p)
			if err != nil {
				continue // a window larger than the input under Valid
			}
			x := convRand(NewRand(uint64(300+i)), -1, 1, xs...).Data().([]float64)
			kk := tc.k[0] * tc.k[1] * tc.c
			cols := make([]float64, g.rows()*kk)
			for j := range cols {
				cols[j] = math.NaN()
			}
			im2col(&g, x, cols)
			OH, top := naiveOutput(tc.h, tc.k[0], tc.s[0], p)
			OW, left := naiveOutput(tc.w, tc.k[1], tc.s[1], p)
			row := 0
			for b := 0; b < tc.batch; b++ {
				for oy := 0; oy < OH; oy++ {
					for ox := 0; ox < OW; ox++ {
						for ky := 0; ky < tc.k[0]; ky++ {
							for kx := 0; kx < tc.k[1]; kx++ {
								for c := 0; c < tc.c; c++ {
									want := 0.0
									if iy, ix := oy*tc.s[0]-top+ky, ox*tc.s[1]-left+kx; iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
										want = x[((b*tc.h+iy)*tc.w+ix)*tc.c+c]
									}
									if got := cols[row*kk+(ky*tc.k[1]+kx)*tc.c+c]; got != want {
										t.Fatalf("%v %v: row %d, tap (%d, %d, %d): %v, want %v", tc, p, row, ky, kx, c, got, want)
									}
								}
							}
						}
						row++
					}
				}
			}
		}
	}
}

// tanhThen makes x, the block's first input, a computed node by passing it
// through Tanh, so that the ops after it build x's gradient.
func tanhThen(f func(x *G.Node, rest []*G.Node) (*G.Node, error)) block {
	return func(in []*G.Node) (*G.Node, error) {
		x, err := Tanh(in[0])
		if err != nil {
			return nil, err
		}
		return f(x, in[1:])
	}
}

func TestConv2DGradients(t *testing.T) {
	rng := NewRand(11)
	conv := func(s [2]int, p Padding) block {
		return tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) { return Conv2D(x, r[0], r[1], s, p) })
	}
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Valid3x3Stride1", conv([2]int{1, 1}, Valid), []*tensor.Dense{
			convRand(rng, -1, 1, 2, 5, 6, 3), convRand(rng, -1, 1, 3, 3, 3, 2), convRand(rng, -1, 1, 2)}, []int{0, 1, 2}},
		{"Same3x3Stride2", conv([2]int{2, 2}, Same), []*tensor.Dense{
			convRand(rng, -1, 1, 1, 6, 5, 2), convRand(rng, -1, 1, 3, 3, 2, 3), convRand(rng, -1, 1, 3)}, []int{0, 1, 2}},
		{"Valid3x3Stride2", conv([2]int{2, 2}, Valid), []*tensor.Dense{
			convRand(rng, -1, 1, 2, 7, 6, 1), convRand(rng, -1, 1, 3, 3, 1, 2), convRand(rng, -1, 1, 2)}, []int{0, 1, 2}},
		{"Same2x3Stride2x1", conv([2]int{2, 1}, Same), []*tensor.Dense{
			convRand(rng, -1, 1, 2, 5, 4, 2), convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2)}, []int{0, 1, 2}},
		{"Same2x2Stride1", conv([2]int{1, 1}, Same), []*tensor.Dense{
			convRand(rng, -1, 1, 1, 4, 5, 2), convRand(rng, -1, 1, 2, 2, 2, 3), convRand(rng, -1, 1, 3)}, []int{0, 1, 2}},
		{"1x1Stride1", conv([2]int{1, 1}, Valid), []*tensor.Dense{
			convRand(rng, -1, 1, 2, 3, 4, 3), convRand(rng, -1, 1, 1, 1, 3, 2), convRand(rng, -1, 1, 2)}, []int{0, 1, 2}},
		{"1x1Stride2Same", conv([2]int{2, 2}, Same), []*tensor.Dense{
			convRand(rng, -1, 1, 1, 5, 4, 2), convRand(rng, -1, 1, 1, 1, 2, 2), convRand(rng, -1, 1, 2)}, []int{0, 1, 2}},
		{"LeafInput", func(in []*G.Node) (*G.Node, error) { return Conv2D(in[0], in[1], in[2], [2]int{1, 2}, Same) }, []*tensor.Dense{
			convRand(rng, -1, 1, 2, 4, 5, 2), convRand(rng, -1, 1, 3, 3, 2, 2), convRand(rng, -1, 1, 2)}, []int{1, 2}},
		{"TwoConvolutions", func(in []*G.Node) (*G.Node, error) {
			h, err := Conv2D(in[0], in[1], in[2], [2]int{1, 1}, Same)
			if err != nil {
				return nil, err
			}
			if h, err = Tanh(h); err != nil {
				return nil, err
			}
			return Conv2D(h, in[3], in[4], [2]int{2, 2}, Valid)
		}, []*tensor.Dense{convRand(rng, -1, 1, 2, 5, 5, 1), convRand(rng, -1, 1, 3, 3, 1, 2), convRand(rng, -1, 1, 2),
			convRand(rng, -1, 1, 2, 2, 2, 3), convRand(rng, -1, 1, 3)}, []int{1, 2, 3, 4}},
		{"ConvNet", func(in []*G.Node) (*G.Node, error) {
			h, err := Conv2D(in[0], in[1], in[2], [2]int{1, 1}, Valid)
			if err != nil {
				return nil, err
			}
			if h, err = Tanh(h); err != nil {
				return nil, err
			}
			if h, err = MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, Valid); err != nil {
				return nil, err
			}
			if h, err = Flatten(h); err != nil {
				return nil, err
			}
			o, err := Dense(h, in[3], in[4])
			if err != nil {
				return nil, err
			}
			return CategoricalCrossentropyFromLogits(o, in[5])
		}, []*tensor.Dense{convRand(rng, -1, 1, 2, 6, 6, 1), convRand(rng, -1, 1, 3, 3, 1, 2), convRand(rng, -1, 1, 2),
			convRand(rng, -1, 1, 8, 3), convRand(rng, -1, 1, 3), oneHot(rng, 2, 3)}, []int{1, 2, 3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestConv2DBuildsTheInputGradientOnlyForComputedInputs(t *testing.T) {
	build := func(computed bool) (*G.ExprGraph, *G.Node, *G.Node, *G.Node, *G.Node) {
		g := G.NewGraph()
		x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 5, 5, 2), G.WithName("x"), G.WithInit(G.Ones()))
		k := G.NewTensor(g, G.Float64, 4, G.WithShape(3, 3, 2, 4), G.WithName("k"), G.WithInit(G.Ones()))
		b := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("b"), G.WithInit(G.Zeroes()))
		in := x
		if computed {
			in = G.Must(Tanh(x))
		}
		cost := G.Must(G.Sum(G.Must(Conv2D(in, k, b, [2]int{1, 1}, Same))))
		return g, x, k, b, cost
	}
	for _, computed := range []bool{false, true} {
		g, _, k, b, cost := build(computed)
		if _, err := G.Grad(cost, k, b); err != nil {
			t.Fatalf("computed input %v: Grad: %v", computed, err)
		}
		want := 0
		if computed {
			want = 1
		}
		if got := countOps(g, "Conv2DInputGrad"); got != want {
			t.Errorf("computed input %v: %d input-gradient ops in the graph, want %d", computed, got, want)
		}
		if got := countOps(g, "Conv2DKernelGrad"); got != 1 {
			t.Errorf("computed input %v: %d kernel-gradient ops, want 1", computed, got)
		}
		if got := countOps(g, "ColumnSum(4-D to 1-D)"); got != 1 {
			t.Errorf("computed input %v: %d bias-gradient ops, want 1", computed, got)
		}
	}
	_, x, _, _, cost := build(false)
	if _, err := G.Grad(cost, x); err == nil {
		t.Error("Grad with respect to a leaf input of Conv2D: no error")
	}
}

// TestConv2DKernelGradientReadsThisRunsWindows runs a graph twice with a
// new input between the runs: the kernel gradient must follow, so it reads
// the im2col matrix of the run it is in.
func TestConv2DKernelGradientReadsThisRunsWindows(t *testing.T) {
	rng := NewRand(5)
	g := G.NewGraph()
	xv := convRand(rng, -1, 1, 1, 4, 4, 1)
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	k := G.NodeFromAny(g, convRand(rng, -1, 1, 3, 3, 1, 1), G.WithName("k"))
	b := G.NodeFromAny(g, convRand(rng, -1, 1, 1), G.WithName("b"))
	cost := G.Must(G.Sum(G.Must(Conv2D(x, k, b, [2]int{1, 1}, Same))))
	grads, err := G.Grad(cost, k)
	if err != nil {
		t.Fatal(err)
	}
	var dk G.Value
	G.Read(grads[0], &dk)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for run := 0; run < 2; run++ {
		if run == 1 {
			for i := range xv.Data().([]float64) {
				xv.Data().([]float64)[i] = rng.Float64()
			}
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		// d Σy / d k[ky, kx] is the sum of the inputs the tap sees.
		xd, got := xv.Data().([]float64), dk.Data().([]float64)
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				want := 0.0
				for i := 0; i < 4; i++ {
					for j := 0; j < 4; j++ {
						if iy, ix := i-1+ky, j-1+kx; iy >= 0 && iy < 4 && ix >= 0 && ix < 4 {
							want += xd[iy*4+ix]
						}
					}
				}
				if d := math.Abs(got[ky*3+kx] - want); d > 1e-12 {
					t.Errorf("run %d: dk[%d, %d] = %v, want %v", run, ky, kx, got[ky*3+kx], want)
				}
			}
		}
	}
}

func TestConv2DErrors(t *testing.T) {
	g := G.NewGraph()
	t4 := func(dt tensor.Dtype, name string, s ...int) *G.Node {
		return G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName(name))
	}
	x := t4(G.Float64, "x", 2, 5, 5, 3)
	k := t4(G.Float64, "k", 3, 3, 3, 4)
	b := t4(G.Float64, "b", 4)
	one := [2]int{1, 1}
	tests := []struct {
		name    string
		x, k, b *G.Node
		s       [2]int
		p       Padding
		want    []string
	}{
		{"nil input", nil, k, b, one, Valid, []string{"Conv2D input", "nil"}},
		{"nil kernel", x, nil, b, one, Valid, []string{"Conv2D kernel", "nil"}},
		{"nil bias", x, k, nil, one, Valid, []string{"Conv2D bias", "nil"}},
		{"3-D input", t4(G.Float64, "x3", 5, 5, 3), k, b, one, Valid, []string{"4-D", "(5, 5, 3)"}},
		{"2-D kernel", x, t4(G.Float64, "k2", 9, 4), b, one, Valid, []string{"Conv2D kernel", "4-D", "(9, 4)"}},
		{"int input", t4(G.Int, "xi", 2, 5, 5, 3), k, b, one, Valid, []string{"float32 or float64", "int"}},
		{"types differ", t4(G.Float32, "x32", 2, 5, 5, 3), k, b, one, Valid, []string{"types differ", "float32", "float64"}},
		{"channels", t4(G.Float64, "x2", 2, 5, 5, 2), k, b, one, Valid, []string{"2 channels", "expects 3", "(2, 5, 5, 2)", "(3, 3, 3, 4)"}},
		{"bias length", x, k, t4(G.Float64, "b5", 5), one, Valid, []string{"bias has shape (5)", "want (4)"}},
		{"bias matrix", x, k, t4(G.Float64, "b14", 1, 4), one, Valid, []string{"bias has shape (1, 4)", "want (4)"}},
		{"stride 0", x, k, b, [2]int{0, 1}, Valid, []string{"strides", "[0 1]"}},
		{"negative stride", x, k, b, [2]int{1, -2}, Same, []string{"strides", "[1 -2]"}},
		{"kernel too tall", t4(G.Float64, "xs", 2, 2, 5, 3), k, b, one, Valid, []string{"larger than the input", "height", "(2, 2, 5, 3)", "(3, 3, 3, 4)"}},
		{"kernel too wide", t4(G.Float64, "xw", 2, 5, 1, 3), k, b, one, Valid, []string{"larger than the input", "width"}},
		{"unknown padding", x, k, b, one, Padding(9), []string{"unknown padding Padding(9)"}},
	}
	for _, tc := range tests {
		y, err := Conv2D(tc.x, tc.k, tc.b, tc.s, tc.p)
		wantError(t, tc.name, y, err, tc.want...)
	}
	// A kernel larger than the input is fine under Same.
	if _, err := Conv2D(t4(G.Float64, "xs2", 2, 2, 5, 3), k, b, one, Same); err != nil {
		t.Errorf("a 3×3 kernel over a 2×5 input under same padding: %v", err)
	}
}

// convNetGrads builds a small Keras-style convnet of type dt (Conv2D,
// ReLU, MaxPool2D, Conv2D, Flatten, Dropout, Dense, softmax
// cross-entropy), with fixed weights and dropout seed, and returns the
// loss and its gradients with respect to every weight after two runs.
func convNetGrads(t *testing.T, dt tensor.Dtype) [][]float64 {
	t.Helper()
	rng := NewRand(21)
	g := G.NewGraph()
	x := convNode(g, "x", convRand(rng, 0, 1, 2, 8, 8, 1), dt)
	w := []*G.Node{
		convNode(g, "k1", convRand(rng, -0.5, 0.5, 3, 3, 1, 4), dt), convNode(g, "b1", convRand(rng, -0.1, 0.1, 4), dt),
		convNode(g, "k2", convRand(rng, -0.5, 0.5, 2, 2, 4, 3), dt), convNode(g, "b2", convRand(rng, -0.1, 0.1, 3), dt),
		convNode(g, "w", convRand(rng, -0.5, 0.5, 27, 5), dt), convNode(g, "b", convRand(rng, -0.1, 0.1, 5), dt),
	}
	target := convNode(g, "t", oneHot(rng, 2, 5), dt)
	h := G.Must(Conv2D(x, w[0], w[1], [2]int{1, 1}, Same))
	h = G.Must(MaxPool2D(G.Must(ReLU(h)), [2]int{2, 2}, [2]int{2, 2}, Valid))
	h = G.Must(Conv2D(h, w[2], w[3], [2]int{1, 1}, Valid))
	h = G.Must(Dropout(G.Must(Flatten(h)), 0.25, NewRand(77)))
	loss := G.Must(CategoricalCrossentropyFromLogits(G.Must(Dense(h, w[4], w[5])), target))
	grads, err := G.Grad(loss, w...)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]G.Value, len(grads)+1)
	G.Read(loss, &vals[0])
	for i := range grads {
		G.Read(grads[i], &vals[i+1])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for run := 0; run < 2; run++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
	}
	out := make([][]float64, len(vals))
	for i, v := range vals {
		if i == 0 {
			switch l := v.(type) {
			case *G.F64:
				out[0] = []float64{float64(*l)}
			case *G.F32:
				out[0] = []float64{float64(*l)}
			default:
				out[0] = convFloat64s(t, v)
			}
			continue
		}
		out[i] = convFloat64s(t, v)
	}
	return out
}

// TestConvNetFloat32 checks the float32 kernels of every op against the
// float64 ones on a whole network, and that two graphs built alike give
// bit for bit the same loss and gradients.
func TestConvNetFloat32(t *testing.T) {
	f64 := convNetGrads(t, tensor.Float64)
	f32 := convNetGrads(t, tensor.Float32)
	again := convNetGrads(t, tensor.Float32)
	for i := range f64 {
		if len(f32[i]) != len(f64[i]) {
			t.Fatalf("value %d: %d float32 values, %d float64", i, len(f32[i]), len(f64[i]))
		}
		for j := range f64[i] {
			if d := math.Abs(f32[i][j] - f64[i][j]); d > 1e-4*math.Max(1, math.Abs(f64[i][j])) {
				t.Errorf("value %d element %d: float32 %v, float64 %v", i, j, f32[i][j], f64[i][j])
			}
			if f32[i][j] != again[i][j] {
				t.Errorf("value %d element %d: %v, then %v in a second graph", i, j, f32[i][j], again[i][j])
			}
		}
	}
}

// f32Tensor returns a float32 tensor of shape s with small varied values.
func f32Tensor(s ...int) *tensor.Dense {
	d := make([]float32, tensor.Shape(s).TotalSize())
	for i := range d {
		d[i] = float32(i%7)/4 - 0.75
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
}

// parallelAllocs is what an op may allocate in a run: the closure (and
// what it captures) that a loop spread over the cores hands to the pool.
// The outputs and scratch buffers are never reallocated.
const parallelAllocs = 2

// checkReuse runs op twice on in, and fails unless both runs return the
// same value and later runs allocate at most parallelAllocs times.
func checkReuse(t *testing.T, name string, op G.Op, in ...G.Value) G.Value {
	t.Helper()
	first, err := op.Do(in...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	second, err := op.Do(in...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if first != second {
		t.Errorf("%s returned a new value on its second run", name)
	}
	if a := testing.AllocsPerRun(20, func() { _, _ = op.Do(in...) }); a > parallelAllocs {
		t.Errorf("%s allocates %v times a run, want at most %d", name, a, parallelAllocs)
	}
	return second
}

func TestConv2DOpsReuseTheirOutputs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		k       [2]int
		strides [2]int
		padding Padding
	}{
		{"3x3Stride2x1Same", [2]int{3, 3}, [2]int{2, 1}, Same},
		{"2x3Valid", [2]int{2, 3}, [2]int{1, 1}, Valid},
		{"1x1Direct", [2]int{1, 1}, [2]int{1, 1}, Same},
	} {
		x, k, b := f32Tensor(2, 6, 7, 3), f32Tensor(tc.k[0], tc.k[1], 3, 4), f32Tensor(4)
		fwd := &conv2DOp{opInfo: opInfo{"Conv2D"}, strides: tc.strides, padding: tc.padding,
			direct: tc.k == [2]int{1, 1} && tc.strides == [2]int{1, 1}}
		y := checkReuse(t, tc.name+" Conv2D", fwd, x, k, b)
		dy := f32Tensor(y.Shape()...)
		kg := &conv2DKernelGradOp{opInfo: opInfo{"Conv2DKernelGrad"}, fwd: fwd, kshape: k.Shape().Clone()}
		checkReuse(t, tc.name+" Conv2DKernelGrad", kg, x, y, dy)
		checkReuse(t, tc.name+" Conv2DBiasGrad", newColSum(4, 1), dy)
		ig := &conv2DInputGradOp{opInfo: opInfo{"Conv2DInputGrad"}, xshape: x.Shape().Clone(), strides: tc.strides, padding: tc.padding}
		if dx := checkReuse(t, tc.name+" Conv2DInputGrad", ig, k, dy); !dx.Shape().Eq(x.Shape()) {
			t.Errorf("%s: input gradient of shape %v, want %v", tc.name, dx.Shape(), x.Shape())
		}
	}
}

// A 3×3 input convolved with a 2×2 kernel of ones: under Valid each output
// is the sum of a 2×2 block; under Same TensorFlow pads the extra row and
// column after the input, so the last row and column see fewer values.
func ExampleConv2D() {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(1, 3, 3, 1), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 3, 3, 1), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}))))
	k := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 2, 1, 1), G.WithName("k"), G.WithInit(G.Ones()))
	b := G.NewVector(g, G.Float64, G.WithShape(1), G.WithName("b"), G.WithInit(G.Zeroes()))
	valid, err := Conv2D(x, k, b, [2]int{1, 1}, Valid)
	if err != nil {
		log.Fatal(err)
	}
	same, err := Conv2D(x, k, b, [2]int{1, 1}, Same)
	if err != nil {
		log.Fatal(err)
	}
	var v, s G.Value
	G.Read(valid, &v)
	G.Read(same, &s)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Shape(), v.Data())
	fmt.Println(s.Shape(), s.Data())
	// Output:
	// (1, 2, 2, 1) [12 16 24 28]
	// (1, 3, 3, 1) [12 16 9 24 28 15 15 17 9]
}
