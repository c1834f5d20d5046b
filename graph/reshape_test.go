package graph

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestReshape(t *testing.T) {
	tests := []struct {
		in, shape []int
		want      tensor.Shape
	}{
		{[]int{2, 12}, []int{3, 4}, tensor.Shape{2, 3, 4}},
		{[]int{2, 12}, []int{2, 3, 2}, tensor.Shape{2, 2, 3, 2}},
		{[]int{2, 3, 4}, []int{12}, tensor.Shape{2, 12}},
		{[]int{2, 3, 4, 5}, []int{20, 3}, tensor.Shape{2, 20, 3}},
		{[]int{2, 3, 4, 5}, []int{-1, 5}, tensor.Shape{2, 12, 5}},
		{[]int{2, 3, 4, 5}, []int{6, -1}, tensor.Shape{2, 6, 10}},
		{[]int{3, 784}, []int{28, 28, 1}, tensor.Shape{3, 28, 28, 1}},
		{[]int{4, 1}, nil, tensor.Shape{4}},
		{[]int{4}, []int{1}, tensor.Shape{4, 1}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in, tc.shape), func(t *testing.T) {
			g := G.NewGraph()
			xv := convRand(NewRand(4), -1, 1, tc.in...)
			x := G.NodeFromAny(g, xv, G.WithName("x"))
			y, err := Reshape(x, tc.shape...)
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
				t.Error("the reshaped value does not share the input's memory")
			}
		})
	}
}

func TestReshapeToTheSameShapeIsTheNode(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float32, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	for _, s := range [][]int{{3, 4}, {-1, 4}, {3, -1}} {
		if y, err := Reshape(x, s...); err != nil || y != x {
			t.Errorf("Reshape(x, %v): %v, %v; want x itself", s, y, err)
		}
	}
}

func TestReshapeGradients(t *testing.T) {
	rng := NewRand(25)
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Leaf2DTo4D", func(in []*G.Node) (*G.Node, error) { return Reshape(in[0], 2, 3, 2) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 12)}, []int{0}},
		{"Leaf4DTo3D", func(in []*G.Node) (*G.Node, error) { return Reshape(in[0], -1, 2) },
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2, 2)}, []int{0}},
		{"DenseReshapeTanh", func(in []*G.Node) (*G.Node, error) {
			h, err := Dense(in[0], in[1], in[2])
			if err != nil {
				return nil, err
			}
			if h, err = Reshape(h, 2, 3); err != nil {
				return nil, err
			}
			return Tanh(h)
		}, []*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 4, 6), convRand(rng, -1, 1, 6)}, []int{1, 2}},
		{"TanhReshapeFlattenDense", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			h, err := Reshape(x, 4, 3)
			if err != nil {
				return nil, err
			}
			if h, err = Flatten(h); err != nil {
				return nil, err
			}
			return Dense(h, r[0], r[1])
		}), []*tensor.Dense{convRand(rng, -1, 1, 2, 12), convRand(rng, -1, 1, 12, 3), convRand(rng, -1, 1, 3)}, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestReshapeErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 4, 5), G.WithName("x"))
	tests := []struct {
		name  string
		x     *G.Node
		shape []int
		want  []string
	}{
		{"nil", nil, []int{60}, []string{"Reshape input", "nil"}},
		{"scalar", G.NewScalar(g, G.Float64, G.WithName("s")), []int{1}, []string{"Reshape", "scalar"}},
		{"int", G.NewTensor(g, G.Int, 4, G.WithShape(2, 3, 3, 1), G.WithName("i")), []int{9}, []string{"float32 or float64", "int", "(2, 3, 3, 1)"}},
		{"sizes differ", x, []int{7, 8}, []string{"(2, 3, 4, 5)", "60 values a sample", "(2, 7, 8)", "56 values a sample"}},
		{"no shape", x, nil, []string{"(2, 3, 4, 5)", "60 values a sample", "1 values a sample"}},
		{"zero", x, []int{0, 60}, []string{"[0 60]", "size 0", "(2, 3, 4, 5)"}},
		{"below −1", x, []int{-2, -30}, []string{"[-2 -30]", "size -2"}},
		{"two −1", x, []int{-1, -1, 5}, []string{"[-1 -1 5]", "more than one −1"}},
		{"−1 does not divide", x, []int{-1, 7}, []string{"(2, 3, 4, 5)", "60 values a sample", "[-1 7]", "not a multiple of 7"}},
	}
	for _, tc := range tests {
		y, err := Reshape(tc.x, tc.shape...)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestReshapeOpsReuseTheirOutputs(t *testing.T) {
	x := f32Tensor(2, 3, 4, 5)
	fwd := newView("Reshape", x.Shape().Clone(), tensor.Shape{2, 12, 5})
	y := checkReuse(t, "Reshape", fwd, x)
	if &y.Data().([]float32)[0] != &x.Float32s()[0] {
		t.Error("Reshape copied its input")
	}
	dy := f32Tensor(2, 12, 5)
	back := newView("ReshapeGrad", tensor.Shape{2, 12, 5}, x.Shape().Clone())
	dx := checkReuse(t, "ReshapeGrad", back, dy)
	if !dx.Shape().Eq(x.Shape()) || &dx.Data().([]float32)[0] != &dy.Float32s()[0] {
		t.Errorf("ReshapeGrad: shape %v (want %v), or it copied", dx.Shape(), x.Shape())
	}
	// The gradient of a Reshape view is a ReshapeGrad view back, and the
	// other way round.
	g := G.NewGraph()
	xn := G.NewTensor(g, G.Float32, 4, G.WithShape(2, 3, 4, 5), G.WithName("x"))
	yn := G.Must(Reshape(xn, 12, 5))
	grads, err := G.Backpropagate(G.Nodes{yn}, G.Nodes{G.NewTensor(g, G.Float32, 3, G.WithShape(2, 12, 5), G.WithName("dy"))}, G.Nodes{xn})
	if err != nil {
		t.Fatal(err)
	}
	if got := grads[0].Op().String(); got != "ReshapeGrad((2, 12, 5) to (2, 3, 4, 5))" {
		t.Errorf("gradient op %q", got)
	}
}
