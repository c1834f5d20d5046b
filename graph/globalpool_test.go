package graph

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGlobalAvgPool2DMatchesNaiveLoops(t *testing.T) {
	for i, s := range [][]int{{1, 1, 1, 1}, {2, 3, 4, 5}, {3, 7, 7, 16}, {1, 28, 28, 3}, {4, 1, 9, 2}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v_%v", s, dt), func(t *testing.T) {
				rng := NewRand(uint64(500 + i))
				x := convRand(rng, -2, 2, s...)
				g := G.NewGraph()
				xn := convNode(g, "x", x, dt)
				y, err := GlobalAvgPool2D(xn)
				if err != nil {
					t.Fatal(err)
				}
				B, H, W, C := s[0], s[1], s[2], s[3]
				if !shapeIs(y.Shape(), B, C) {
					t.Fatalf("node shape %v, want (%d, %d)", y.Shape(), B, C)
				}
				r := convRand(rng, -1, 1, B, C)
				grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, convNode(g, "r", r, dt))))), xn)
				if err != nil {
					t.Fatal(err)
				}
				got, shapes := convRun(t, g, y, grads[0])
				if !shapeIs(shapes[0], B, C) || !shapes[1].Eq(x.Shape()) {
					t.Fatalf("value shapes %v and %v, want (%d, %d) and %v", shapes[0], shapes[1], B, C, x.Shape())
				}
				xv, rv := convAs(x, dt), convAs(r, dt)
				tol := 1e-13
				if dt == tensor.Float32 {
					tol = 1e-7
				}
				for b := 0; b < B; b++ {
					for c := 0; c < C; c++ {
						sum := 0.0
						for p := 0; p < H*W; p++ {
							sum += xv[(b*H*W+p)*C+c]
						}
						want := sum / float64(H*W)
						if d := math.Abs(got[0][b*C+c] - want); d > tol {
							t.Errorf("output (%d, %d): %v, want %v", b, c, got[0][b*C+c], want)
						}
						for p := 0; p < H*W; p++ {
							wantDx := rv[b*C+c] / float64(H*W)
							if d := math.Abs(got[1][(b*H*W+p)*C+c] - wantDx); d > tol {
								t.Fatalf("gradient (%d, %d, %d): %v, want %v", b, p, c, got[1][(b*H*W+p)*C+c], wantDx)
							}
						}
					}
				}
			})
		}
	}
}

func TestGlobalAvgPool2DGradients(t *testing.T) {
	rng := NewRand(13)
	tests := []struct {
		name string
		b    block
		x    *tensor.Dense
	}{
		{"Leaf", func(in []*G.Node) (*G.Node, error) { return GlobalAvgPool2D(in[0]) }, convRand(rng, -1, 1, 2, 3, 4, 3)},
		{"AfterTanh", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) { return GlobalAvgPool2D(x) }), convRand(rng, -1, 1, 3, 2, 2, 2)},
		{"ThenDense", func(in []*G.Node) (*G.Node, error) {
			h, err := GlobalAvgPool2D(in[0])
			if err != nil {
				return nil, err
			}
			return Dense(h, in[1], in[2])
		}, convRand(rng, -1, 1, 2, 3, 3, 4)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inputs, wrt := []*tensor.Dense{tc.x}, []int{0}
			if tc.name == "ThenDense" {
				inputs, wrt = append(inputs, convRand(rng, -1, 1, 4, 2), convRand(rng, -1, 1, 2)), []int{0, 1, 2}
			}
			checkGradient(t, tc.b, inputs, wrt, 1e-6)
		})
	}
}

func TestGlobalAvgPool2DErrors(t *testing.T) {
	g := G.NewGraph()
	tests := []struct {
		name string
		x    *G.Node
		want []string
	}{
		{"nil input", nil, []string{"GlobalAvgPool2D input", "nil"}},
		{"2-D input", G.NewMatrix(g, G.Float64, G.WithShape(5, 4), G.WithName("m")), []string{"4-D", "(5, 4)"}},
		{"3-D input", G.NewTensor(g, G.Float64, 3, G.WithShape(2, 5, 4), G.WithName("t3")), []string{"4-D", "(2, 5, 4)"}},
		{"int input", G.NewTensor(g, G.Int, 4, G.WithShape(2, 5, 4, 3), G.WithName("xi")), []string{"float32 or float64", "int"}},
	}
	for _, tc := range tests {
		y, err := GlobalAvgPool2D(tc.x)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestGlobalAvgPool2DOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(3, 5, 4, 6)
	y := checkReuse(t, "GlobalAvgPool2D", &globalAvgPool2DOp{opInfo: opInfo{"GlobalAvgPool2D"}}, x)
	if !shapeIs(y.Shape(), 3, 6) {
		t.Errorf("GlobalAvgPool2D: shape %v, want (3, 6)", y.Shape())
	}
	gop := &globalAvgPool2DOp{opInfo: opInfo{"GlobalAvgPool2DGrad"}, grad: true, xshape: x.Shape().Clone()}
	if dx := checkReuse(t, "GlobalAvgPool2DGrad", gop, f32Tensor(3, 6)); !dx.Shape().Eq(x.Shape()) {
		t.Errorf("GlobalAvgPool2DGrad: shape %v, want %v", dx.Shape(), x.Shape())
	}
	if _, err := gop.Do(f32Tensor(3, 5)); err == nil {
		t.Error("GlobalAvgPool2DGrad of a gradient of the wrong shape: no error")
	}
}

func TestGlobalAvgPool2DSameOnAnyCoreCount(t *testing.T) {
	sameOnAnyCores(t, func(t *testing.T) []float64 {
		g, nodes := poolGraph(t, 47, GlobalAvgPool2D, 32, 16, 16, 24)
		got, _ := convRun(t, g, nodes...)
		return append(got[0], got[1]...)
	})
}

// BenchmarkGlobalAvgPool2D runs float32 GlobalAvgPool2D forward and
// backward (x's gradient for a fixed incoming gradient).
func BenchmarkGlobalAvgPool2D(b *testing.B) {
	for _, s := range [][]int{{64, 7, 7, 64}, {64, 14, 14, 128}, {32, 28, 28, 32}} {
		b.Run(fmt.Sprint(tensor.Shape(s)), func(b *testing.B) {
			g, _ := poolGraph(b, 1, GlobalAvgPool2D, s...)
			benchRun(b, g)
		})
	}
}
