package graph

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveMaxPool2D is MaxPool2D as nested loops: each output is the largest
// value of its window, the padding being −∞. It also returns, for each
// output, the index in x of the window's first maximum in row-major window
// order.
func naiveMaxPool2D(xv []float64, xs tensor.Shape, pool, st [2]int, p Padding) ([]float64, []int, tensor.Shape) {
	B, H, W, C := xs[0], xs[1], xs[2], xs[3]
	OH, top := naiveOutput(H, pool[0], st[0], p)
	OW, left := naiveOutput(W, pool[1], st[1], p)
	out := make([]float64, B*OH*OW*C)
	arg := make([]int, len(out))
	for b := 0; b < B; b++ {
		for i := 0; i < OH; i++ {
			for j := 0; j < OW; j++ {
				for c := 0; c < C; c++ {
					m, at := math.Inf(-1), -1
					for ky := 0; ky < pool[0]; ky++ {
						for kx := 0; kx < pool[1]; kx++ {
							iy, ix := i*st[0]-top+ky, j*st[1]-left+kx
							v, idx := math.Inf(-1), -1
							if iy >= 0 && iy < H && ix >= 0 && ix < W {
								idx = ((b*H+iy)*W+ix)*C + c
								v = xv[idx]
							}
							if v > m || at < 0 && idx >= 0 {
								m, at = v, idx
							}
						}
					}
					o := ((b*OH+i)*OW+j)*C + c
					out[o], arg[o] = m, at
				}
			}
		}
	}
	return out, arg, tensor.Shape{B, OH, OW, C}
}

// poolCases adds pooling's usual geometries to convCases' (whose kernel
// sizes serve as pool sizes): MNIST's 2×2/2 and overlapping 3×3/2 pools.
var poolCases = append([]convCase{
	{3, 28, 28, 4, 0, [2]int{2, 2}, [2]int{2, 2}},
	{2, 6, 6, 3, 0, [2]int{3, 3}, [2]int{2, 2}},
	{1, 5, 7, 2, 0, [2]int{2, 2}, [2]int{1, 1}},
	{2, 7, 6, 1, 0, [2]int{3, 2}, [2]int{2, 1}},
	{1, 5, 5, 1, 0, [2]int{5, 5}, [2]int{1, 1}},
}, convCases...)

func TestMaxPool2DMatchesNaiveLoops(t *testing.T) {
	for i, tc := range poolCases {
		for _, p := range []Padding{Valid, Same} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				t.Run(fmt.Sprintf("%v_%v_%v", tc, p, dt), func(t *testing.T) {
					rng := NewRand(uint64(200 + i))
					// Few distinct values, so that ties are common.
					x := convRand(rng, 0, 1, tc.batch, tc.h, tc.w, tc.c)
					for j, v := range x.Data().([]float64) {
						x.Data().([]float64)[j] = math.Floor(v*4) - 2
					}
					g := G.NewGraph()
					xn := convNode(g, "x", x, dt)
					y, err := MaxPool2D(xn, tc.k, tc.s, p)
					if p == Valid && (tc.h < tc.k[0] || tc.w < tc.k[1]) {
						if err == nil || !strings.Contains(err.Error(), "larger than the input") {
							t.Fatalf("a %v pool over %dx%d under valid padding: error %v, want one saying it is larger", tc.k, tc.h, tc.w, err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					want, arg, wantShape := naiveMaxPool2D(x.Data().([]float64), x.Shape(), tc.k, tc.s, p)
					if !y.Shape().Eq(wantShape) {
						t.Fatalf("node shape %v, want %v", y.Shape(), wantShape)
					}
					// The gradient of Σ y⊙r puts r[o] at each output o's
					// first maximum.
					r := convRand(rng, -1, 1, wantShape...)
					rn := convNode(g, "r", r, dt)
					grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, rn)))), xn)
					if err != nil {
						t.Fatal(err)
					}
					got, shapes := convRun(t, g, y, grads[0])
					if !shapes[0].Eq(wantShape) || !shapes[1].Eq(x.Shape()) {
						t.Fatalf("value shapes %v and %v, want %v and %v", shapes[0], shapes[1], wantShape, x.Shape())
					}
					for j := range want {
						if got[0][j] != want[j] {
							t.Fatalf("element %d: %v, want %v", j, got[0][j], want[j])
						}
					}
					wantDx, rv := make([]float64, x.Shape().TotalSize()), convAs(r, dt)
					for o, a := range arg {
						wantDx[a] += rv[o]
					}
					for j := range wantDx {
						if d := math.Abs(got[1][j] - wantDx[j]); d > 1e-6 {
							t.Fatalf("gradient element %d: %v, want %v", j, got[1][j], wantDx[j])
						}
					}
				})
			}
		}
	}
}

func TestMaxPool2DPropagatesNaN(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		x    []float64
		want []float64
	}{
		{"NaN first", []float64{nan, 5, 1, 2, 3, 4, 7, 8, 1}, []float64{nan, 5, 8, 8}},
		{"NaN later", []float64{1, 5, 1, 2, nan, 4, 7, 8, 1}, []float64{nan, nan, nan, nan}},
		{"no NaN", []float64{1, 5, 1, 2, 3, 4, 7, 8, 1}, []float64{5, 5, 8, 8}},
	} {
		g := G.NewGraph()
		x := G.NewTensor(g, G.Float64, 4, G.WithShape(1, 3, 3, 1), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(1, 3, 3, 1), tensor.WithBacking(tc.x))))
		y := G.Must(MaxPool2D(x, [2]int{2, 2}, [2]int{1, 1}, Valid))
		got, _ := convRun(t, g, y)
		for i, w := range tc.want {
			if g := got[0][i]; math.IsNaN(w) != math.IsNaN(g) || !math.IsNaN(w) && g != w {
				t.Errorf("%s: output %d is %v, want %v", tc.name, i, g, w)
			}
		}
	}
}

// distinct returns a tensor of shape s whose values are distinct and at
// least 0.01 apart, in random order: no window has a tie that a finite
// difference could cross.
func distinct(seed uint64, s ...int) *tensor.Dense {
	rng := NewRand(seed)
	n := tensor.Shape(s).TotalSize()
	d := make([]float64, n)
	for i, j := range rng.Perm(n) {
		d[i] = float64(j)*0.01 - float64(n)*0.005
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
}

func TestMaxPool2DGradients(t *testing.T) {
	pool := func(k, s [2]int, p Padding) block {
		return func(in []*G.Node) (*G.Node, error) { return MaxPool2D(in[0], k, s, p) }
	}
	tests := []struct {
		name string
		b    block
		x    *tensor.Dense
	}{
		{"Valid2x2Stride2", pool([2]int{2, 2}, [2]int{2, 2}, Valid), distinct(1, 2, 6, 5, 2)},
		{"Same2x2Stride2", pool([2]int{2, 2}, [2]int{2, 2}, Same), distinct(2, 2, 5, 5, 2)},
		{"Same3x3Stride2Overlapping", pool([2]int{3, 3}, [2]int{2, 2}, Same), distinct(3, 1, 6, 7, 3)},
		{"Valid3x3Stride1Overlapping", pool([2]int{3, 3}, [2]int{1, 1}, Valid), distinct(4, 2, 5, 5, 1)},
		{"Same2x3Stride2x1", pool([2]int{2, 3}, [2]int{2, 1}, Same), distinct(5, 1, 5, 4, 2)},
		{"AfterTanh", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) {
			return MaxPool2D(x, [2]int{2, 2}, [2]int{1, 1}, Same)
		}), distinct(6, 2, 4, 4, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, []*tensor.Dense{tc.x}, []int{0}, 1e-6)
		})
	}
}

func TestMaxPool2DErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 5, 4, 3), G.WithName("x"))
	two := [2]int{2, 2}
	tests := []struct {
		name    string
		x       *G.Node
		pool, s [2]int
		p       Padding
		want    []string
	}{
		{"nil input", nil, two, two, Valid, []string{"MaxPool2D input", "nil"}},
		{"2-D input", G.NewMatrix(g, G.Float64, G.WithShape(5, 4), G.WithName("m")), two, two, Valid, []string{"4-D", "(5, 4)"}},
		{"int input", G.NewTensor(g, G.Int, 4, G.WithShape(2, 5, 4, 3), G.WithName("xi")), two, two, Valid, []string{"float32 or float64", "int"}},
		{"pool 0", x, [2]int{0, 2}, two, Valid, []string{"pool size", "[0 2]", "(2, 5, 4, 3)"}},
		{"stride 0", x, two, [2]int{2, 0}, Same, []string{"strides", "[2 0]", "(2, 5, 4, 3)"}},
		{"pool too wide", x, [2]int{2, 5}, two, Valid, []string{"larger than the input", "width", "(2, 5, 4, 3)"}},
		{"pool too tall", x, [2]int{6, 1}, two, Valid, []string{"larger than the input", "height"}},
		{"unknown padding", x, two, two, Padding(-1), []string{"unknown padding Padding(-1)"}},
	}
	for _, tc := range tests {
		y, err := MaxPool2D(tc.x, tc.pool, tc.s, tc.p)
		wantError(t, tc.name, y, err, tc.want...)
	}
	if _, err := MaxPool2D(x, [2]int{2, 5}, two, Same); err != nil {
		t.Errorf("a 2×5 pool over a 5×4 input under same padding: %v", err)
	}
}

func TestMaxPool2DOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(2, 7, 6, 3)
	fwd := &maxPool2DOp{opInfo: opInfo{"MaxPool2D"}, pool: [2]int{3, 3}, strides: [2]int{2, 1}, padding: Same}
	y := checkReuse(t, "MaxPool2D", fwd, x)
	gop := &maxPool2DGradOp{opInfo: opInfo{"MaxPool2DGrad"}, fwd: fwd, xshape: x.Shape().Clone()}
	if dx := checkReuse(t, "MaxPool2DGrad", gop, y, f32Tensor(y.Shape()...)); !dx.Shape().Eq(x.Shape()) {
		t.Errorf("MaxPool2DGrad: shape %v, want %v", dx.Shape(), x.Shape())
	}
}
