package graph

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveAvgPool2D is AvgPool2D as nested loops in float64: each output is
// the mean of the input elements its window covers, the padding left out.
// It also returns, for each output, how many elements that was.
func naiveAvgPool2D(xv []float64, xs tensor.Shape, pool, st [2]int, p Padding) ([]float64, []int, tensor.Shape) {
	B, H, W, C := xs[0], xs[1], xs[2], xs[3]
	OH, top := naiveOutput(H, pool[0], st[0], p)
	OW, left := naiveOutput(W, pool[1], st[1], p)
	out := make([]float64, B*OH*OW*C)
	count := make([]int, len(out))
	for b := 0; b < B; b++ {
		for i := 0; i < OH; i++ {
			for j := 0; j < OW; j++ {
				for c := 0; c < C; c++ {
					sum, n := 0.0, 0
					for ky := 0; ky < pool[0]; ky++ {
						for kx := 0; kx < pool[1]; kx++ {
							iy, ix := i*st[0]-top+ky, j*st[1]-left+kx
							if iy >= 0 && iy < H && ix >= 0 && ix < W {
								sum += xv[((b*H+iy)*W+ix)*C+c]
								n++
							}
						}
					}
					o := ((b*OH+i)*OW+j)*C + c
					out[o], count[o] = sum/float64(n), n
				}
			}
		}
	}
	return out, count, tensor.Shape{B, OH, OW, C}
}

func TestAvgPool2DMatchesNaiveLoops(t *testing.T) {
	for i, tc := range poolCases {
		for _, p := range []Padding{Valid, Same} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				t.Run(fmt.Sprintf("%v_%v_%v", tc, p, dt), func(t *testing.T) {
					rng := NewRand(uint64(400 + i))
					x := convRand(rng, -2, 2, tc.batch, tc.h, tc.w, tc.c)
					g := G.NewGraph()
					xn := convNode(g, "x", x, dt)
					y, err := AvgPool2D(xn, tc.k, tc.s, p)
					if p == Valid && (tc.h < tc.k[0] || tc.w < tc.k[1]) {
						if err == nil || !strings.Contains(err.Error(), "larger than the input") {
							t.Fatalf("a %v pool over %dx%d under valid padding: error %v, want one saying it is larger", tc.k, tc.h, tc.w, err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					xv := convAs(x, dt)
					want, count, wantShape := naiveAvgPool2D(xv, x.Shape(), tc.k, tc.s, p)
					if !y.Shape().Eq(wantShape) {
						t.Fatalf("node shape %v, want %v", y.Shape(), wantShape)
					}
					// The gradient of Σ y⊙r adds r[o]/count[o] to every
					// element of output o's window.
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
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 1e-6
					}
					for j := range want {
						if d := math.Abs(got[0][j] - want[j]); d > tol {
							t.Fatalf("element %d: %v, want %v", j, got[0][j], want[j])
						}
					}
					// The naive gradient, from the windows' geometry.
					B, H, W, C := tc.batch, tc.h, tc.w, tc.c
					OH, top := naiveOutput(H, tc.k[0], tc.s[0], p)
					OW, left := naiveOutput(W, tc.k[1], tc.s[1], p)
					wantDx, rv := make([]float64, len(xv)), convAs(r, dt)
					for b := 0; b < B; b++ {
						for i := 0; i < OH; i++ {
							for j := 0; j < OW; j++ {
								for c := 0; c < C; c++ {
									o := ((b*OH+i)*OW+j)*C + c
									for ky := 0; ky < tc.k[0]; ky++ {
										for kx := 0; kx < tc.k[1]; kx++ {
											iy, ix := i*tc.s[0]-top+ky, j*tc.s[1]-left+kx
											if iy >= 0 && iy < H && ix >= 0 && ix < W {
												wantDx[((b*H+iy)*W+ix)*C+c] += rv[o] / float64(count[o])
											}
										}
									}
								}
							}
						}
					}
					for j := range wantDx {
						if d := math.Abs(got[1][j] - wantDx[j]); d > tol {
							t.Fatalf("gradient element %d: %v, want %v", j, got[1][j], wantDx[j])
						}
					}
				})
			}
		}
	}
}

// TestAvgPool2DSameLeavesThePaddingOut pools a 3×3 input of ones with a
// 2×2 window, stride 2, under Same: TensorFlow pads one row and column
// after it, and every mean, the corner's of a single element included, is
// 1 (it would be 1/4 if the padding were counted).
func TestAvgPool2DSameLeavesThePaddingOut(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(1, 3, 3, 1), G.WithName("x"), G.WithInit(G.Ones()))
	y := G.Must(AvgPool2D(x, [2]int{2, 2}, [2]int{2, 2}, Same))
	got := eval(t, g, y)
	if !shapeIs(got.Shape(), 1, 2, 2, 1) {
		t.Fatalf("shape %v, want (1, 2, 2, 1)", got.Shape())
	}
	for i, v := range got.Data().([]float64) {
		if v != 1 {
			t.Errorf("output %d: %v, want 1", i, v)
		}
	}
}

func TestAvgPool2DGradients(t *testing.T) {
	rng := NewRand(12)
	pool := func(k, s [2]int, p Padding) block {
		return func(in []*G.Node) (*G.Node, error) { return AvgPool2D(in[0], k, s, p) }
	}
	tests := []struct {
		name string
		b    block
		x    *tensor.Dense
	}{
		{"Valid2x2Stride2", pool([2]int{2, 2}, [2]int{2, 2}, Valid), convRand(rng, -1, 1, 2, 6, 5, 2)},
		{"Same2x2Stride2", pool([2]int{2, 2}, [2]int{2, 2}, Same), convRand(rng, -1, 1, 2, 5, 5, 2)},
		{"Same3x3Stride2Overlapping", pool([2]int{3, 3}, [2]int{2, 2}, Same), convRand(rng, -1, 1, 1, 6, 7, 3)},
		{"Valid3x3Stride1Overlapping", pool([2]int{3, 3}, [2]int{1, 1}, Valid), convRand(rng, -1, 1, 2, 5, 5, 1)},
		{"Same2x3Stride2x1", pool([2]int{2, 3}, [2]int{2, 1}, Same), convRand(rng, -1, 1, 1, 5, 4, 2)},
		{"AfterTanh", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) {
			return AvgPool2D(x, [2]int{2, 2}, [2]int{1, 1}, Same)
		}), convRand(rng, -1, 1, 2, 4, 4, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, []*tensor.Dense{tc.x}, []int{0}, 1e-6)
		})
	}
}

func TestAvgPool2DErrors(t *testing.T) {
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
		{"nil input", nil, two, two, Valid, []string{"AvgPool2D input", "nil"}},
		{"2-D input", G.NewMatrix(g, G.Float64, G.WithShape(5, 4), G.WithName("m")), two, two, Valid, []string{"4-D", "(5, 4)"}},
		{"int input", G.NewTensor(g, G.Int, 4, G.WithShape(2, 5, 4, 3), G.WithName("xi")), two, two, Valid, []string{"float32 or float64", "int"}},
		{"pool 0", x, [2]int{0, 2}, two, Valid, []string{"pool size", "[0 2]", "(2, 5, 4, 3)"}},
		{"stride 0", x, two, [2]int{2, 0}, Same, []string{"strides", "[2 0]", "(2, 5, 4, 3)"}},
		{"pool too wide", x, [2]int{2, 5}, two, Valid, []string{"larger than the input", "width", "(2, 5, 4, 3)"}},
		{"pool too tall", x, [2]int{6, 1}, two, Valid, []string{"larger than the input", "height"}},
		{"unknown padding", x, two, two, Padding(-1), []string{"unknown padding Padding(-1)"}},
	}
	for _, tc := range tests {
		y, err := AvgPool2D(tc.x, tc.pool, tc.s, tc.p)
		wantError(t, tc.name, y, err, tc.want...)
	}
	if _, err := AvgPool2D(x, [2]int{2, 5}, two, Same); err != nil {
		t.Errorf("a 2×5 pool over a 5×4 input under same padding: %v", err)
	}
}

func TestAvgPool2DOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(2, 7, 6, 3)
	fwd := &avgPool2DOp{opInfo: opInfo{"AvgPool2D"}, pool: [2]int{3, 3}, strides: [2]int{2, 1}, padding: Same}
	y := checkReuse(t, "AvgPool2D", fwd, x)
	gop := &avgPool2DOp{opInfo: opInfo{"AvgPool2DGrad"}, pool: fwd.pool, strides: fwd.strides, padding: Same, grad: true, xshape: x.Shape().Clone()}
	if dx := checkReuse(t, "AvgPool2DGrad", gop, f32Tensor(y.Shape()...)); !dx.Shape().Eq(x.Shape()) {
		t.Errorf("AvgPool2DGrad: shape %v, want %v", dx.Shape(), x.Shape())
	}
	if _, err := gop.Do(f32Tensor(2, 4, 6, 2)); err == nil {
		t.Error("AvgPool2DGrad of a gradient of the wrong shape: no error")
	}
}

// poolGraph builds pool on a float32 x of shape s, with x's gradient for
// a fixed incoming gradient, and returns the graph and the output and
// gradient nodes.
func poolGraph(tb testing.TB, seed uint64, pool func(*G.Node) (*G.Node, error), s ...int) (*G.ExprGraph, G.Nodes) {
	rng := NewRand(seed)
	g := G.NewGraph()
	x := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s...), G.WithName("x"))
	y, err := pool(x)
	if err != nil {
		tb.Fatal(err)
	}
	dy := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, y.Shape()...), G.WithName("dy"))
	grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x})
	if err != nil {
		tb.Fatal(err)
	}
	return g, G.Nodes{y, grads[0]}
}

func TestAvgPool2DSameOnAnyCoreCount(t *testing.T) {
	sameOnAnyCores(t, func(t *testing.T) []float64 {
		g, nodes := poolGraph(t, 46, func(x *G.Node) (*G.Node, error) { return AvgPool2D(x, [2]int{3, 3}, [2]int{2, 2}, Same) }, 16, 28, 28, 8)
		got, _ := convRun(t, g, nodes...)
		return append(got[0], got[1]...)
	})
}

// BenchmarkAvgPool2D runs float32 AvgPool2D forward and backward (x's
// gradient for a fixed incoming gradient).
func BenchmarkAvgPool2D(b *testing.B) {
	for _, tc := range []struct {
		s             []int
		pool, strides [2]int
		p             Padding
	}{
		{[]int{64, 28, 28, 32}, [2]int{2, 2}, [2]int{2, 2}, Valid},
		{[]int{64, 28, 28, 32}, [2]int{3, 3}, [2]int{2, 2}, Same},
		{[]int{64, 14, 14, 64}, [2]int{2, 2}, [2]int{2, 2}, Valid},
	} {
		b.Run(fmt.Sprintf("%v_%dx%d_s%d_%v", tensor.Shape(tc.s), tc.pool[0], tc.pool[1], tc.strides[0], tc.p), func(b *testing.B) {
			g, _ := poolGraph(b, 1, func(x *G.Node) (*G.Node, error) { return AvgPool2D(x, tc.pool, tc.strides, tc.p) }, tc.s...)
			benchRun(b, g)
		})
	}
}
