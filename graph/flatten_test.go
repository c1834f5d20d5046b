package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestFlatten(t *testing.T) {
	tests := []struct {
		in   []int
		want tensor.Shape
	}{
		{[]int{2, 3, 4, 5}, tensor.Shape{2, 60}},
		{[]int{1, 28, 28, 1}, tensor.Shape{1, 784}},
		{[]int{3, 4, 2}, tensor.Shape{3, 8}},
		{[]int{2, 1, 1, 1}, tensor.Shape{2, 1}},
		{[]int{2, 2, 3, 1, 2}, tensor.Shape{2, 12}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			g := G.NewGraph()
			xv := convRand(NewRand(3), -1, 1, tc.in...)
			x := G.NodeFromAny(g, xv, G.WithName("x"))
			y, err := Flatten(x)
			if err != nil {
				t.Fatal(err)
			}
			if !shapeIs(y.Shape(), tc.want...) {
				t.Fatalf("node shape %v, want %v", y.Shape(), tc.want)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			v := y.Value() // the op's own output (gorgonia.Read would copy it)
			if !shapeIs(v.Shape(), tc.want...) {
				t.Fatalf("value shape %v, want %v", v.Shape(), tc.want)
			}
			got, want := v.Data().([]float64), xv.Data().([]float64)
			if len(got) != len(want) {
				t.Fatalf("%d values, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("element %d: %v, want %v", i, got[i], want[i])
				}
			}
			if &got[0] != &want[0] {
				t.Error("the flattened value does not share the input's memory")
			}
		})
	}
}

func TestFlattenReturnsMatricesAsIs(t *testing.T) {
	g := G.NewGraph()
	for _, s := range [][]int{{3, 4}, {1, 5}, {5, 1}} {
		m := G.NewMatrix(g, G.Float32, G.WithShape(s...), G.WithName(fmt.Sprint("m", s)))
		if y, err := Flatten(m); err != nil || y != m {
			t.Errorf("Flatten of a %v matrix: %v, %v; want the node itself", s, y, err)
		}
	}
}

func TestFlattenGradients(t *testing.T) {
	rng := NewRand(8)
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Leaf4D", func(in []*G.Node) (*G.Node, error) { return Flatten(in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2, 2)}, []int{0}},
		{"Leaf3D", func(in []*G.Node) (*G.Node, error) { return Flatten(in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 2, 4)}, []int{0}},
		{"TanhFlattenDense", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			h, err := Flatten(x)
			if err != nil {
				return nil, err
			}
			return Dense(h, r[0], r[1])
		}), []*tensor.Dense{convRand(rng, -1, 1, 2, 2, 3, 2), convRand(rng, -1, 1, 12, 3), convRand(rng, -1, 1, 3)}, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestFlattenErrors(t *testing.T) {
	g := G.NewGraph()
	tests := []struct {
		name string
		x    *G.Node
		want []string
	}{
		{"nil", nil, []string{"Flatten input", "nil"}},
		{"vector", G.NewVector(g, G.Float64, G.WithShape(7), G.WithName("v")), []string{"at least 2 dimensions", "(7)"}},
		{"scalar", G.NewScalar(g, G.Float64, G.WithName("s")), []string{"at least 2 dimensions"}},
		{"int", G.NewTensor(g, G.Int, 4, G.WithShape(2, 3, 3, 1), G.WithName("i")), []string{"float32 or float64", "int", "(2, 3, 3, 1)"}},
	}
	for _, tc := range tests {
		y, err := Flatten(tc.x)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestFlattenOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(2, 3, 4, 5)
	fwd := newView("Flatten", x.Shape().Clone(), tensor.Shape{2, 60})
	y := checkReuse(t, "Flatten", fwd, x)
	if &y.Data().([]float32)[0] != &x.Float32s()[0] {
		t.Error("Flatten copied its input")
	}
	dy := f32Tensor(2, 60)
	dx := checkReuse(t, "FlattenGrad", newView("FlattenGrad", tensor.Shape{2, 60}, x.Shape().Clone()), dy)
	if !dx.Shape().Eq(x.Shape()) || &dx.Data().([]float32)[0] != &dy.Float32s()[0] {
		t.Errorf("FlattenGrad: shape %v (want %v), or it copied", dx.Shape(), x.Shape())
	}
	// A new input buffer gets a new header over it.
	x2 := f32Tensor(2, 3, 4, 5)
	y2, err := fwd.Do(x2)
	if err != nil {
		t.Fatal(err)
	}
	if &y2.Data().([]float32)[0] != &x2.Float32s()[0] {
		t.Error("Flatten kept viewing its old input")
	}
	if _, err := fwd.Do(f32Tensor(2, 60)); err == nil {
		t.Error("Flatten of a value of the wrong shape: no error")
	}
}
