package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naryValues runs f on nodes of type dt holding xs and returns the
// output's values, and the values each input would give in that type.
func naryValues(t *testing.T, f func(...*G.Node) (*G.Node, error), dt tensor.Dtype, xs ...*tensor.Dense) ([]float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(xs))
	ins := make([][]float64, len(xs))
	for i, x := range xs {
		nodes[i] = convNode(g, fmt.Sprint("x", i), x, dt)
		ins[i] = convAs(x, dt)
	}
	y, err := f(nodes...)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(xs[0].Shape()) {
		t.Fatalf("node shape %v, want %v", y.Shape(), xs[0].Shape())
	}
	got, shapes := convRun(t, g, y)
	if !shapeIs(shapes[0], xs[0].Shape()...) {
		t.Fatalf("value shape %v, want %v", shapes[0], xs[0].Shape())
	}
	return got[0], ins
}

func TestAddValues(t *testing.T) {
	rng := NewRand(20)
	for _, s := range [][]int{{5}, {3, 4}, {2, 3, 4}, {2, 3, 3, 2}, {300, 300}} {
		for n := 2; n <= 4; n++ {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				xs := make([]*tensor.Dense, n)
				for i := range xs {
					xs[i] = convRand(rng, -2, 2, s...)
				}
				got, ins := naryValues(t, Add, dt, xs...)
				for j := range got {
					// The sum is taken in the inputs' order, in dt.
					want := ins[0][j]
					for _, in := range ins[1:] {
						want += in[j]
						if dt == tensor.Float32 {
							want = float64(float32(want))
						}
					}
					if got[j] != want {
						t.Fatalf("%v, %d inputs, %v: element %d is %v, want %v", s, n, dt, j, got[j], want)
					}
				}
			}
		}
	}
}

func TestAddGradients(t *testing.T) {
	rng := NewRand(21)
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Two", func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[1]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 3, 4)}, []int{0, 1}},
		{"Three4D", func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[1], in[2]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2, 3, 2, 2)}, []int{0, 1, 2}},
		{"SameNodeTwice", func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4)}, []int{0}},
		{"SameNodeTwiceAndAnother", func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[1], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 5), convRand(rng, -1, 1, 5)}, []int{0, 1}},
		{"ResidualAfterTanh", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			h, err := Dense(x, r[0], r[1])
			if err != nil {
				return nil, err
			}
			return Add(x, h)
		}), []*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 4, 4), convRand(rng, -1, 1, 4)}, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

// naryErrorCases returns the construction errors Add and Multiply share,
// for the operation named what.
func naryErrorCases(g *G.ExprGraph, what string) []struct {
	name string
	xs   []*G.Node
	want []string
} {
	a := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("a"))
	b := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("b"))
	return []struct {
		name string
		xs   []*G.Node
		want []string
	}{
		{"no input", nil, []string{what, "at least 2 inputs, got 0"}},
		{"one input", []*G.Node{a}, []string{what, "at least 2 inputs, got 1"}},
		{"nil", []*G.Node{a, nil}, []string{what + " input 1", "nil"}},
		{"int", []*G.Node{a, G.NewMatrix(g, G.Int, G.WithShape(2, 3), G.WithName("i"))}, []string{what + " input 1", "float32 or float64", "int"}},
		{"scalar", []*G.Node{G.NewScalar(g, G.Float64, G.WithName("s")), G.NewScalar(g, G.Float64, G.WithName("s2"))}, []string{what + " input 0", "scalar"}},
		{"shape", []*G.Node{a, b, G.NewMatrix(g, G.Float64, G.WithShape(3, 2), G.WithName("c"))}, []string{what, "input 2 has shape (3, 2)", "(2, 3)"}},
		{"row and vector", []*G.Node{G.NewMatrix(g, G.Float64, G.WithShape(1, 3), G.WithName("r")), G.NewVector(g, G.Float64, G.WithShape(3), G.WithName("v"))},
			[]string{what, "input 1 has shape (3)", "(1, 3)"}},
		{"dtype", []*G.Node{a, G.NewMatrix(g, G.Float32, G.WithShape(2, 3), G.WithName("f"))}, []string{what, "input 1 is float32", "input 0 is float64"}},
	}
}

func TestAddErrors(t *testing.T) {
	for _, tc := range naryErrorCases(G.NewGraph(), "Add") {
		y, err := Add(tc.xs...)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestNaryOpsReuseTheirOutputs(t *testing.T) {
	a, b, c := f32Tensor(3, 4, 5), f32Tensor(3, 4, 5), f32Tensor(3, 4, 5)
	checkReuse(t, "Add", newNary("Add", 3, 3, false, -1), a, b, c)
	checkReuse(t, "Multiply", newNary("Multiply", 2, 3, true, -1), a, b)
	checkReuse(t, "MultiplyGrad", newNary("MultiplyGrad", 4, 3, true, 2), a, b, c, a)
	if _, err := newNary("Add", 2, 3, false, -1).Do(a, f32Tensor(3, 4, 4)); err == nil {
		t.Error("Add of values of two shapes: no error")
	}
	if _, err := newNary("Add", 2, 3, false, -1).Do(a, convRand(NewRand(1), 0, 1, 3, 4, 5)); err == nil {
		t.Error("Add of float32 and float64 values: no error")
	}
}

// BenchmarkAdd adds two float32 tensors and takes the gradients.
func BenchmarkAdd(b *testing.B) {
	benchNary(b, Add)
}

// benchNary runs f on two float32 (64, 28, 28, 32) and (128, 512)
// tensors, forward and backward.
func benchNary(b *testing.B, f func(...*G.Node) (*G.Node, error)) {
	for _, s := range [][]int{{64, 28, 28, 32}, {128, 512}} {
		b.Run(fmt.Sprint(tensor.Shape(s)), func(b *testing.B) {
			rng := NewRand(1)
			g := G.NewGraph()
			x := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s...), G.WithName("x"))
			z := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s...), G.WithName("z"))
			y, err := f(x, z)
			if err != nil {
				b.Fatal(err)
			}
			dy := G.NodeFromAny(g, randOf(rng, tensor.Float32, -1, 1, s...), G.WithName("dy"))
			if _, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, z}); err != nil {
				b.Fatal(err)
			}
			benchRun(b, g)
		})
	}
}
