package graph

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestSubtractValues(t *testing.T) {
	rng := NewRand(22)
	for _, s := range [][]int{{5}, {3, 4}, {2, 3, 4}, {2, 3, 3, 2}, {300, 300}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			a, b := convRand(rng, -2, 2, s...), convRand(rng, -2, 2, s...)
			got, ins := naryValues(t, func(xs ...*G.Node) (*G.Node, error) { return Subtract(xs[0], xs[1]) }, dt, a, b)
			for j := range got {
				want := ins[0][j] - ins[1][j]
				if dt == tensor.Float32 {
					want = float64(float32(want))
				}
				if got[j] != want {
					t.Fatalf("%v, %v: element %d is %v, want %v", s, dt, j, got[j], want)
				}
			}
		}
	}
}

func TestSubtractGradients(t *testing.T) {
	rng := NewRand(23)
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Two", func(in []*G.Node) (*G.Node, error) { return Subtract(in[0], in[1]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 3, 4)}, []int{0, 1}},
		{"Images", func(in []*G.Node) (*G.Node, error) { return Subtract(in[0], in[1]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2, 3, 2, 2)}, []int{0, 1}},
		{"SameNodeTwice", func(in []*G.Node) (*G.Node, error) { return Subtract(in[0], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4)}, []int{0}},
		// Tanh's gradient reads its output, which the Flatten views: an
		// op writing into its input would spoil it.
		{"OfAViewOfTanh", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			v, err := Flatten(x)
			if err != nil {
				return nil, err
			}
			return Subtract(v, r[0])
		}), []*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2), convRand(rng, -1, 1, 2, 6)}, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestSubtractErrors(t *testing.T) {
	g := G.NewGraph()
	m := G.NewMatrix(g, G.Float64, G.WithShape(3, 4), G.WithName("m"))
	tests := []struct {
		name   string
		x0, x1 *G.Node
		want   []string
	}{
		{"nil input", nil, m, []string{"Subtract input 0", "nil"}},
		{"scalar", G.NewScalar(g, G.Float64, G.WithName("s")), m, []string{"scalar"}},
		{"other shape", m, G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("m2")), []string{"(4, 3)", "(3, 4)"}},
		{"other type", m, G.NewMatrix(g, G.Float32, G.WithShape(3, 4), G.WithName("m3")), []string{"float32", "float64"}},
		{"int", G.NewMatrix(g, G.Int, G.WithShape(3, 4), G.WithName("mi")), m, []string{"float32 or float64", "int"}},
	}
	for _, tc := range tests {
		y, err := Subtract(tc.x0, tc.x1)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestSubtractOpsReuseTheirOutputs(t *testing.T) {
	a, b := f32Tensor(3, 5, 4), f32Tensor(3, 5, 4)
	checkReuse(t, "Subtract", &subtractOp{opInfo: opInfo{"Subtract"}, dims: 3}, a, b)
	checkReuse(t, "SubtractGrad", &subtractOp{opInfo: opInfo{"SubtractGrad"}, dims: 3, neg: true}, a)
	if _, err := (&subtractOp{opInfo: opInfo{"Subtract"}, dims: 3}).Do(a, f32Tensor(3, 4, 5)); err == nil {
		t.Error("Subtract of inputs of other shapes: no error")
	}
}
