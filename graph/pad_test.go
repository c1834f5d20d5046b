package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naivePad returns x, of shape (b, h, w, c), with the pads ((top,
// bottom), (left, right)) of zeros, value by value.
func naivePad(x []float64, b, h, w, c int, pads [2][2]int) []float64 {
	oh, ow := pads[0][0]+h+pads[0][1], pads[1][0]+w+pads[1][1]
	y := make([]float64, b*oh*ow*c)
	for n := 0; n < b; n++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				for k := 0; k < c; k++ {
					r, s := i-pads[0][0], j-pads[1][0]
					if r >= 0 && r < h && s >= 0 && s < w {
						y[((n*oh+i)*ow+j)*c+k] = x[((n*h+r)*w+s)*c+k]
					}
				}
			}
		}
	}
	return y
}

func TestZeroPad2DMatchesNaiveLoop(t *testing.T) {
	for i, tc := range []struct {
		shape []int
		pads  [2][2]int
	}{
		{[]int{1, 1, 1, 1}, [2][2]int{{1, 1}, {1, 1}}},
		{[]int{2, 3, 4, 2}, [2][2]int{{1, 2}, {3, 0}}},
		{[]int{2, 3, 4, 2}, [2][2]int{{0, 0}, {0, 2}}},
		{[]int{3, 5, 2, 3}, [2][2]int{{2, 0}, {0, 0}}},
		{[]int{1, 2, 2, 1}, [2][2]int{{4, 3}, {2, 5}}},
		{[]int{16, 28, 28, 8}, [2][2]int{{1, 1}, {2, 2}}}, // past elementGrain: spread over the cores
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v_%v_%v", tc.shape, tc.pads, dt), func(t *testing.T) {
				rng := NewRand(uint64(700 + i))
				x := convRand(rng, -2, 2, tc.shape...)
				g := G.NewGraph()
				xn := convNode(g, "x", x, dt)
				y, err := ZeroPad2D(xn, tc.pads)
				if err != nil {
					t.Fatal(err)
				}
				B, H, W, C := tc.shape[0], tc.shape[1], tc.shape[2], tc.shape[3]
				OH, OW := H+tc.pads[0][0]+tc.pads[0][1], W+tc.pads[1][0]+tc.pads[1][1]
				if !shapeIs(y.Shape(), B, OH, OW, C) {
					t.Fatalf("node shape %v, want (%d, %d, %d, %d)", y.Shape(), B, OH, OW, C)
				}
				r := convRand(rng, -1, 1, B, OH, OW, C)
				grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, convNode(g, "r", r, dt))))), xn)
				if err != nil {
					t.Fatal(err)
				}
				// Run twice: the padding must stay zero in the kept buffer.
				var got [][]float64
				for range 2 {
					got, _ = convRun(t, g, y, grads[0])
				}
				xv, rv := convAs(x, dt), convAs(r, dt)
				want := naivePad(xv, B, H, W, C, tc.pads)
				for j := range want {
					if got[0][j] != want[j] {
						t.Fatalf("output %d: %v, want %v", j, got[0][j], want[j])
					}
				}
				// x[n, i, j, k]'s gradient is r at its place in y.
				for n := 0; n < B; n++ {
					for i := 0; i < H; i++ {
						for j := 0; j < W; j++ {
							for k := 0; k < C; k++ {
								at := ((n*H+i)*W+j)*C + k
								wantG := rv[((n*OH+i+tc.pads[0][0])*OW+j+tc.pads[1][0])*C+k]
								if got[1][at] != wantG {
									t.Fatalf("gradient (%d, %d, %d, %d): %v, want %v", n, i, j, k, got[1][at], wantG)
								}
							}
						}
					}
				}
			})
		}
	}
}

func TestZeroPad2DGradients(t *testing.T) {
	rng := NewRand(19)
	tests := []struct {
		name string
		b    block
		x    *tensor.Dense
	}{
		{"Leaf", func(in []*G.Node) (*G.Node, error) { return ZeroPad2D(in[0], [2][2]int{{1, 2}, {0, 1}}) }, convRand(rng, -1, 1, 2, 3, 2, 2)},
		{"AfterTanh", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) { return ZeroPad2D(x, [2][2]int{{2, 0}, {1, 3}}) }), convRand(rng, -1, 1, 2, 2, 3, 1)},
		{"ThenConv", func(in []*G.Node) (*G.Node, error) {
			h, err := ZeroPad2D(in[0], [2][2]int{{1, 1}, {1, 1}})
			if err != nil {
				return nil, err
			}
			return Conv2D(h, in[1], in[2], [2]int{1, 1}, Valid)
		}, convRand(rng, -1, 1, 2, 3, 3, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inputs, wrt := []*tensor.Dense{tc.x}, []int{0}
			if tc.name == "ThenConv" {
				inputs, wrt = append(inputs, convRand(rng, -1, 1, 3, 3, 2, 2), convRand(rng, -1, 1, 2)), []int{0, 1, 2}
			}
			checkGradient(t, tc.b, inputs, wrt, 1e-6)
		})
	}
}

func TestZeroPad2DNoPadsIsTheInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float32, 4, G.WithShape(2, 3, 4, 1), G.WithName("x"))
	y, err := ZeroPad2D(x, [2][2]int{})
	if err != nil || y != x {
		t.Errorf("no pads: %v, %v; want x itself", y, err)
	}
}

func TestZeroPad2DErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 4, 1), G.WithName("x"))
	tests := []struct {
		name string
		x    *G.Node
		pads [2][2]int
		want []string
	}{
		{"nil input", nil, [2][2]int{{1, 1}, {1, 1}}, []string{"ZeroPad2D input", "nil"}},
		{"3-D input", G.NewTensor(g, G.Float64, 3, G.WithShape(2, 5, 4), G.WithName("t3")), [2][2]int{{1, 1}, {1, 1}}, []string{"4-D", "(2, 5, 4)"}},
		{"int input", G.NewTensor(g, G.Int, 4, G.WithShape(2, 5, 4, 3), G.WithName("xi")), [2][2]int{{1, 1}, {1, 1}}, []string{"float32 or float64", "int"}},
		{"negative top", x, [2][2]int{{-1, 1}, {1, 1}}, []string{"negative", "[[-1 1] [1 1]]", "(2, 3, 4, 1)"}},
		{"negative right", x, [2][2]int{{0, 0}, {0, -2}}, []string{"negative"}},
		{"too large", x, [2][2]int{{1 << 30, 0}, {1 << 30, 0}}, []string{"more than"}},
	}
	for _, tc := range tests {
		y, err := ZeroPad2D(tc.x, tc.pads)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestZeroPad2DOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(3, 5, 4, 6)
	pads := [2][2]int{{1, 2}, {3, 0}}
	y := checkReuse(t, "ZeroPad2D", &padOp{opInfo: opInfo{"ZeroPad2D"}, pads: pads}, x)
	if !shapeIs(y.Shape(), 3, 8, 7, 6) {
		t.Errorf("ZeroPad2D: shape %v, want (3, 8, 7, 6)", y.Shape())
	}
	gop := &padOp{opInfo: opInfo{"ZeroPad2DGrad"}, pads: pads, crop: true}
	if dx := checkReuse(t, "ZeroPad2DGrad", gop, f32Tensor(3, 8, 7, 6)); !dx.Shape().Eq(x.Shape()) {
		t.Errorf("ZeroPad2DGrad: shape %v, want %v", dx.Shape(), x.Shape())
	}
	if _, err := gop.Do(f32Tensor(3, 3, 7, 6)); err == nil {
		t.Error("ZeroPad2DGrad of a gradient smaller than the pads: no error")
	}
}
