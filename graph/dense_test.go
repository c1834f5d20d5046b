package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// countOps returns how many nodes of g have an op whose name holds s.
func countOps(g *G.ExprGraph, s string) int {
	n := 0
	for _, node := range g.AllNodes() {
		if node.Op() != nil && strings.Contains(node.Op().String(), s) {
			n++
		}
	}
	return n
}

func TestDenseBuildsTheInputGradientOnlyForComputedInputs(t *testing.T) {
	for _, computed := range []bool{false, true} {
		g := G.NewGraph()
		x := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithInit(G.Ones()))
		w := G.NewMatrix(g, G.Float64, G.WithShape(3, 4), G.WithName("w"), G.WithInit(G.Ones()))
		b := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("b"), G.WithInit(G.Zeroes()))
		in := x
		if computed {
			in = G.Must(Tanh(x))
		}
		cost := G.Must(G.Sum(G.Must(Dense(in, w, b))))
		if _, err := G.Grad(cost, w, b); err != nil {
			t.Fatalf("computed input %v: Grad: %v", computed, err)
		}
		want := 0
		if computed {
			want = 1
		}
		if got := countOps(g, "transB true"); got != want {
			t.Errorf("computed input %v: %d input-gradient products in the graph, want %d", computed, got, want)
		}
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithInit(G.Ones()))
	w := G.NewMatrix(g, G.Float64, G.WithShape(3, 4), G.WithName("w"), G.WithInit(G.Ones()))
	b := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("b"), G.WithInit(G.Zeroes()))
	cost := G.Must(G.Sum(G.Must(Dense(x, w, b))))
	if _, err := G.Grad(cost, x); err == nil {
		t.Error("Grad with respect to a leaf input of Dense: no error")
	}
}

func TestReLU(t *testing.T) {
	nan := math.NaN()
	in := []float64{-2, -0.5, 0, 0.5, 3, nan}
	g := G.NewGraph()
	x := G.NewVector(g, G.Float64, G.WithShape(len(in)), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(len(in)), tensor.WithBacking(append([]float64(nil), in...)))))
	y := G.Must(ReLU(x))
	grads, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		t.Fatal(err)
	}
	var yv, gv G.Value
	G.Read(y, &yv)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, dx := yv.Data().([]float64), gv.Data().([]float64)
	for i, v := range in {
		want, wantD := math.Max(v, 0), 0.0
		if v > 0 {
			wantD = 1
		}
		if math.IsNaN(v) {
			if !math.IsNaN(got[i]) {
				t.Errorf("ReLU(NaN) = %v, want NaN", got[i])
			}
		} else if got[i] != want {
			t.Errorf("ReLU(%v) = %v, want %v", v, got[i], want)
		}
		if dx[i] != wantD {
			t.Errorf("ReLU'(%v) = %v, want %v", v, dx[i], wantD)
		}
	}
}

// TestOpsReuseTheirOutputs checks that each op of this package returns
// the same buffer run after run and allocates no buffers to compute it.
func TestOpsReuseTheirOutputs(t *testing.T) {
	m := func(r, c int) *tensor.Dense {
		d := make([]float32, r*c)
		for i := range d {
			d[i] = float32(i%7) - 3
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(d))
	}
	vec := tensor.New(tensor.WithShape(5), tensor.WithBacking(make([]float32, 5)))
	scalar := G.F32(1)
	tests := []struct {
		name string
		op   G.Op
		in   []G.Value
	}{
		{"Dense", &denseOp{opInfo: opInfo{"Dense"}, biasDims: 1}, []G.Value{m(4, 3), m(3, 5), vec}},
		{"MatMulTransA", newMatMul(true, false), []G.Value{m(4, 3), m(4, 5)}},
		{"MatMulTransB", newMatMul(false, true), []G.Value{m(4, 5), m(3, 5)}},
		{"ColumnSum", newColSum(2, 1), []G.Value{m(4, 5)}},
		{"ReLU", &unaryOp{opInfo: opInfo{"ReLU"}, u: relu}, []G.Value{m(4, 5)}},
		{"ReLUGrad", &unaryOp{opInfo: opInfo{"ReLUGrad"}, u: relu, grad: true}, []G.Value{m(4, 5), m(4, 5)}},
		{"Softmax", kernel(&rowOp{opInfo: opInfo{"Softmax"}, matrices: 1}, softmaxRows[float64], softmaxRows[float32]), []G.Value{m(4, 5)}},
		{"SoftmaxCrossentropy", kernel(&rowOp{opInfo: opInfo{"SoftmaxCrossentropy"}, matrices: 2, scalarOut: true},
			xentLogitsRows[float64], xentLogitsRows[float32]), []G.Value{m(4, 5), m(4, 5)}},
		{"SoftmaxCrossentropyGrad", kernel(&rowOp{opInfo: opInfo{"SoftmaxCrossentropyGrad"}, matrices: 2, scalarIn: true},
			xentLogitsGradRows[float64], xentLogitsGradRows[float32]), []G.Value{m(4, 5), m(4, 5), &scalar}},
	}
	for _, tc := range tests {
		checkReuse(t, tc.name, tc.op, tc.in...)
	}
}

func TestMaskedCopyMatchesTheBranch(t *testing.T) {
	rng := NewRand(4)
	n := 1001
	y, g, out := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range y {
		y[i] = max(float32(rng.NormFloat64()), 0)
		g[i] = float32(rng.NormFloat64())
	}
	y[0], y[1], y[2] = math.MaxFloat32, math.SmallestNonzeroFloat32, 0
	maskedCopy(out, y, g)
	for i := range y {
		want := float32(0)
		if y[i] > 0 {
			want = g[i]
		}
		if math.Float32bits(out[i]) != math.Float32bits(want) {
			t.Fatalf("y %v, g %v: got %v, want %v", y[i], g[i], out[i], want)
		}
	}
}
