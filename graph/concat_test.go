package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConcat concatenates xs, of shapes shapes, along axis a by visiting
// every output index.
func naiveConcat(xs [][]float64, shapes []tensor.Shape, a int) ([]float64, tensor.Shape) {
	out := shapes[0].Clone()
	for _, s := range shapes[1:] {
		out[a] += s[a]
	}
	y := make([]float64, out.TotalSize())
	idx := make([]int, out.Dims())
	for i := range y {
		// idx is the index of element i of the output.
		rem := i
		for d := out.Dims() - 1; d >= 0; d-- {
			idx[d] = rem % out[d]
			rem /= out[d]
		}
		k, at := 0, idx[a]
		for at >= shapes[k][a] {
			at -= shapes[k][a]
			k++
		}
		src := 0
		for d, n := range shapes[k] {
			v := idx[d]
			if d == a {
				v = at
			}
			src = src*n + v
		}
		y[i] = xs[k][src]
	}
	return y, out
}

func TestConcatMatchesNaiveCopy(t *testing.T) {
	tests := []struct {
		axis   int
		shapes [][]int
	}{
		{1, [][]int{{3, 2}, {3, 4}}},
		{-1, [][]int{{3, 2}, {3, 1}, {3, 3}}},
		{1, [][]int{{2, 3, 2}, {2, 1, 2}}},
		{2, [][]int{{2, 3, 2}, {2, 3, 5}}},
		{-1, [][]int{{2, 4, 3, 2}, {2, 4, 3, 3}, {2, 4, 3, 1}}},
		{3, [][]int{{2, 4, 3, 2}, {2, 4, 3, 3}}},
		{2, [][]int{{2, 4, 3, 2}, {2, 4, 1, 2}}},
		{-3, [][]int{{2, 4, 3, 2}, {2, 1, 3, 2}, {2, 2, 3, 2}}},
		{1, [][]int{{2, 1, 1, 1}, {2, 1, 1, 1}}},
		{-1, [][]int{{64, 14, 14, 32}, {64, 14, 14, 16}}},
	}
	for i, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("axis%d_%v_%v", tc.axis, tc.shapes, dt), func(t *testing.T) {
				rng := NewRand(uint64(600 + i))
				g := G.NewGraph()
				nodes := make([]*G.Node, len(tc.shapes))
				xs := make([][]float64, len(tc.shapes))
				shapes := make([]tensor.Shape, len(tc.shapes))
				for k, s := range tc.shapes {
					x := convRand(rng, -1, 1, s...)
					nodes[k], xs[k], shapes[k] = convNode(g, fmt.Sprint("x", k), x, dt), convAs(x, dt), x.Shape()
				}
				y, err := Concat(tc.axis, nodes...)
				if err != nil {
					t.Fatal(err)
				}
				a := tc.axis
				if a < 0 {
					a += len(tc.shapes[0])
				}
				want, wantShape := naiveConcat(xs, shapes, a)
				if !shapeIs(y.Shape(), wantShape...) {
					t.Fatalf("node shape %v, want %v", y.Shape(), wantShape)
				}
				got, vshapes := convRun(t, g, y)
				if !shapeIs(vshapes[0], wantShape...) {
					t.Fatalf("value shape %v, want %v", vshapes[0], wantShape)
				}
				for j := range want {
					if got[0][j] != want[j] {
						t.Fatalf("element %d: %v, want %v", j, got[0][j], want[j])
					}
				}
			})
		}
	}
}

func TestConcatOfOneNodeIsTheNode(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float32, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	for _, axis := range []int{1, 2, -1, -2} {
		if y, err := Concat(axis, x); err != nil || y != x {
			t.Errorf("Concat(%d, x): %v, %v; want x itself", axis, y, err)
		}
	}
	if _, err := Concat(0, x); err == nil {
		t.Error("Concat(0, x): no error")
	}
}

func TestConcatGradients(t *testing.T) {
	rng := NewRand(24)
	concat := func(axis int) block {
		return func(in []*G.Node) (*G.Node, error) { return Concat(axis, in...) }
	}
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
	}{
		{"2DAxis1", concat(1), []*tensor.Dense{convRand(rng, -1, 1, 3, 2), convRand(rng, -1, 1, 3, 4)}},
		{"4DLastAxis", concat(-1), []*tensor.Dense{convRand(rng, -1, 1, 2, 2, 3, 2), convRand(rng, -1, 1, 2, 2, 3, 1), convRand(rng, -1, 1, 2, 2, 3, 3)}},
		{"4DAxis1", concat(1), []*tensor.Dense{convRand(rng, -1, 1, 2, 1, 3, 2), convRand(rng, -1, 1, 2, 2, 3, 2)}},
		{"4DAxis2", concat(2), []*tensor.Dense{convRand(rng, -1, 1, 2, 2, 3, 2), convRand(rng, -1, 1, 2, 2, 1, 2)}},
		{"SameNodeTwice", func(in []*G.Node) (*G.Node, error) { return Concat(-1, in[0], in[1], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 2), convRand(rng, -1, 1, 3, 3)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wrt := make([]int, len(tc.inputs))
			for i := range wrt {
				wrt[i] = i
			}
			checkGradient(t, tc.b, tc.inputs, wrt, 1e-6)
		})
	}
}

func TestConcatErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 4, 5), G.WithName("a"))
	b := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 4, 2), G.WithName("b"))
	tests := []struct {
		name string
		axis int
		xs   []*G.Node
		want []string
	}{
		{"no input", -1, nil, []string{"Concat(axis -1)", "no inputs"}},
		{"nil", -1, []*G.Node{a, nil}, []string{"Concat input 1", "nil"}},
		{"int", -1, []*G.Node{a, G.NewTensor(g, G.Int, 4, G.WithShape(2, 3, 4, 2), G.WithName("i"))}, []string{"Concat input 1", "float32 or float64", "int"}},
		{"empty", -1, []*G.Node{a, G.NewTensor(g, G.Float64, 4, G.WithShape(0, 3, 4, 2), G.WithName("z"))}, []string{"input 1", "(0, 3, 4, 2)", "empty"}},
		{"vector", -1, []*G.Node{G.NewVector(g, G.Float64, G.WithShape(3), G.WithName("v"))}, []string{"at least 2 dimensions", "(3)"}},
		{"batch axis", 0, []*G.Node{a, b}, []string{"axis 0", "batch axis", "(2, 3, 4, 5)"}},
		{"batch axis from the end", -4, []*G.Node{a, b}, []string{"axis -4", "batch axis"}},
		{"axis too large", 4, []*G.Node{a, b}, []string{"axis 4", "out of range", "4-D"}},
		{"axis too small", -5, []*G.Node{a, b}, []string{"axis -5", "out of range"}},
		{"other axis differs", -1, []*G.Node{a, G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 3, 2), G.WithName("c"))},
			[]string{"input 1 has shape (2, 3, 3, 2)", "(2, 3, 4, 5)", "axis 2 differs"}},
		{"batch differs", 1, []*G.Node{a, G.NewTensor(g, G.Float64, 4, G.WithShape(3, 3, 4, 5), G.WithName("d"))},
			[]string{"(3, 3, 4, 5)", "axis 0 differs"}},
		{"rank", -1, []*G.Node{a, G.NewTensor(g, G.Float64, 3, G.WithShape(2, 3, 4), G.WithName("e"))}, []string{"(2, 3, 4)", "ranks differ"}},
		{"dtype", -1, []*G.Node{a, G.NewTensor(g, G.Float32, 4, G.WithShape(2, 3, 4, 2), G.WithName("f"))}, []string{"input 1 is float32", "input 0 is float64"}},
	}
	for _, tc := range tests {
		y, err := Concat(tc.axis, tc.xs...)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestConcatOpsReuseTheirOutputs(t *testing.T) {
	a, b := f32Tensor(2, 3, 4, 5), f32Tensor(2, 3, 2, 5)
	op := &concatOp{opInfo: opInfo{"Concat"}, axis: 2, n: 2, dims: 4}
	y := checkReuse(t, "Concat", op, a, b)
	if !shapeIs(y.Shape(), 2, 3, 6, 5) {
		t.Errorf("Concat: shape %v, want (2, 3, 6, 5)", y.Shape())
	}
	gop := &concatGradOp{opInfo: opInfo{"ConcatGrad"}, axis: 2, at: 4, xshape: b.Shape().Clone()}
	if dx := checkReuse(t, "ConcatGrad", gop, y); !dx.Shape().Eq(b.Shape()) {
		t.Errorf("ConcatGrad: shape %v, want %v", dx.Shape(), b.Shape())
	}
	if _, err := gop.Do(a); err == nil {
		t.Error("ConcatGrad of a gradient too small for its slice: no error")
	}
	if _, err := op.Do(a, f32Tensor(2, 2, 2, 5)); err == nil {
		t.Error("Concat of values differing on another axis: no error")
	}
}

// BenchmarkConcat concatenates two float32 channels-last tensors along
// the channels, forward and backward.
func BenchmarkConcat(b *testing.B) {
	for _, s := range [][2][]int{{{64, 28, 28, 32}, {64, 28, 28, 16}}, {{128, 512}, {128, 256}}} {
		b.Run(fmt.Sprint(tensor.Shape(s[0]), tensor.Shape(s[1])), func(b *testing.B) {
			rng := NewRand(1)
			g := G.NewGraph()
			x := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s[0]...), G.WithName("x"))
			z := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s[1]...), G.WithName("z"))
			y, err := Concat(-1, x, z)
			if err != nil {
				b.Fatal(err)
			}
			dy := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, y.Shape()...), G.WithName("dy"))
			if _, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, z}); err != nil {
				b.Fatal(err)
			}
			benchRun(b, g)
		})
	}
}
