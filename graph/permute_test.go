package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naivePermute returns x, of shape s, with its axes reordered by axes,
// index by index: y[i₀, i₁, …] = x[j] with j[axes[k]] = i[k].
func naivePermute(x []float64, s []int, axes []int) []float64 {
	r := len(s)
	to := make([]int, r)
	for k, a := range axes {
		to[k] = s[a]
	}
	y := make([]float64, len(x))
	idx, j := make([]int, r), make([]int, r)
	for flat := range y {
		q := flat
		for k := r - 1; k >= 0; k-- {
			idx[k] = q % to[k]
			q /= to[k]
		}
		for k, a := range axes {
			j[a] = idx[k]
		}
		src := 0
		for a := 0; a < r; a++ {
			src = src*s[a] + j[a]
		}
		y[flat] = x[src]
	}
	return y
}

func TestPermuteMatchesNaiveLoop(t *testing.T) {
	for i, tc := range []struct {
		shape, axes []int
	}{
		{[]int{2, 3}, []int{1, 0}},
		{[]int{2, 3, 4}, []int{0, 2, 1}},
		{[]int{3, 4, 5, 2}, []int{0, 3, 1, 2}},
		{[]int{3, 4, 5, 2}, []int{0, 2, 3, 1}},
		{[]int{2, 1, 5, 3}, []int{0, 3, 2, 1}},
		{[]int{2, 3, 4, 5}, []int{3, 2, 1, 0}},
		{[]int{2, 2, 3, 1, 4}, []int{0, 4, 1, 3, 2}},
		{[]int{64, 40, 30, 3}, []int{0, 3, 1, 2}}, // past elementGrain: spread over the cores
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v_%v_%v", tc.shape, tc.axes, dt), func(t *testing.T) {
				rng := NewRand(uint64(600 + i))
				x := convRand(rng, -2, 2, tc.shape...)
				g := G.NewGraph()
				xn := convNode(g, "x", x, dt)
				y, err := Permute(xn, tc.axes...)
				if err != nil {
					t.Fatal(err)
				}
				to := make([]int, len(tc.axes))
				for k, a := range tc.axes {
					to[k] = tc.shape[a]
				}
				if !shapeIs(y.Shape(), to...) {
					t.Fatalf("node shape %v, want %v", y.Shape(), to)
				}
				r := convRand(rng, -1, 1, to...)
				grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, convNode(g, "r", r, dt))))), xn)
				if err != nil {
					t.Fatal(err)
				}
				got, shapes := convRun(t, g, y, grads[0])
				if !shapeIs(shapes[0], to...) || !shapes[1].Eq(x.Shape()) {
					t.Fatalf("value shapes %v and %v, want %v and %v", shapes[0], shapes[1], to, x.Shape())
				}
				xv, rv := convAs(x, dt), convAs(r, dt)
				want := naivePermute(xv, tc.shape, tc.axes)
				for j := range want {
					if got[0][j] != want[j] {
						t.Fatalf("output %d: %v, want %v", j, got[0][j], want[j])
					}
				}
				// The gradient of Σ y⊙r puts r back where each y came
				// from: output j reads input from[j], which gets r[j].
				idx := make([]float64, len(xv))
				for j := range idx {
					idx[j] = float64(j)
				}
				from := naivePermute(idx, tc.shape, tc.axes) // output j reads input from[j]
				for j, src := range from {
					if g := got[1][int(src)]; g != rv[j] {
						t.Fatalf("gradient %d: %v, want %v", int(src), g, rv[j])
					}
				}
			})
		}
	}
}

func TestPermuteGradients(t *testing.T) {
	rng := NewRand(17)
	tests := []struct {
		name string
		b    block
		x    *tensor.Dense
	}{
		{"Leaf", func(in []*G.Node) (*G.Node, error) { return Permute(in[0], 0, 2, 3, 1) }, convRand(rng, -1, 1, 2, 3, 2, 4)},
		{"AfterTanh", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) { return Permute(x, 2, 0, 1) }), convRand(rng, -1, 1, 3, 2, 4)},
		{"ThenFlattenDense", func(in []*G.Node) (*G.Node, error) {
			h, err := Permute(in[0], 0, 3, 1, 2)
			if err != nil {
				return nil, err
			}
			if h, err = Flatten(h); err != nil {
				return nil, err
			}
			return Dense(h, in[1], in[2])
		}, convRand(rng, -1, 1, 2, 2, 3, 2)},
		{"Twice", func(in []*G.Node) (*G.Node, error) {
			h, err := Permute(in[0], 1, 0, 2)
			if err != nil {
				return nil, err
			}
			return Permute(h, 2, 1, 0)
		}, convRand(rng, -1, 1, 2, 3, 4)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inputs, wrt := []*tensor.Dense{tc.x}, []int{0}
			if tc.name == "ThenFlattenDense" {
				inputs, wrt = append(inputs, convRand(rng, -1, 1, 12, 3), convRand(rng, -1, 1, 3)), []int{0, 1, 2}
			}
			checkGradient(t, tc.b, inputs, wrt, 1e-6)
		})
	}
}

func TestPermuteIdentityIsTheInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float32, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	y, err := Permute(x, 0, 1, 2)
	if err != nil || y != x {
		t.Errorf("identity permutation: %v, %v; want x itself", y, err)
	}
}

func TestPermuteErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	tests := []struct {
		name string
		x    *G.Node
		axes []int
		want []string
	}{
		{"nil input", nil, []int{0}, []string{"Permute input", "nil"}},
		{"scalar", G.NewScalar(g, G.Float64, G.WithName("s")), nil, []string{"scalar"}},
		{"int input", G.NewTensor(g, G.Int, 2, G.WithShape(2, 3), G.WithName("xi")), []int{1, 0}, []string{"float32 or float64", "int"}},
		{"too few axes", x, []int{0, 1}, []string{"[0 1]", "(2, 3, 4)", "3 axes"}},
		{"too many axes", x, []int{0, 1, 2, 3}, []string{"[0 1 2 3]", "3 axes"}},
		{"repeated axis", x, []int{0, 1, 1}, []string{"[0 1 1]", "each once"}},
		{"axis out of range", x, []int{0, 3, 1}, []string{"[0 3 1]", "0 … 2"}},
		{"negative axis", x, []int{0, -1, 1}, []string{"[0 -1 1]"}},
	}
	for _, tc := range tests {
		y, err := Permute(tc.x, tc.axes...)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestPermuteOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(3, 5, 4, 6)
	op := newPermuteOp(x.Shape().Clone(), []int{0, 3, 1, 2})
	y := checkReuse(t, "Permute", op, x)
	if !shapeIs(y.Shape(), 3, 6, 5, 4) {
		t.Errorf("Permute: shape %v, want (3, 6, 5, 4)", y.Shape())
	}
	if _, err := op.Do(f32Tensor(3, 5, 6, 4)); err == nil {
		t.Error("Permute of an input of the wrong shape: no error")
	}
}
