package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// eval runs a graph once and returns the value of out.
func eval(t *testing.T, g *G.ExprGraph, out *G.Node) G.Value {
	t.Helper()
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	return v
}

// wantError fails the test unless building case name failed with an
// error that mentions every string of want.
func wantError(t *testing.T, name string, y *G.Node, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error (node %v)", name, y)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not mention %q", name, err, w)
		}
	}
}

func matrix(g *G.ExprGraph, name string, rows, cols int, data []float64) *G.Node {
	return G.NewMatrix(g, G.Float64, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))))
}

func TestSoftmaxExtremeLogits(t *testing.T) {
	// Row 1's maximum is far below row 0's first element: tensor v0.9.24's
	// SoftMax, which starts every row from element 0, returns NaN here.
	g := G.NewGraph()
	x := matrix(g, "x", 3, 3, []float64{
		1e4, -1e4, 0,
		-1e4, -1e4 + 1, -1e4,
		0, 0, 0,
	})
	y := eval(t, g, G.Must(Softmax(x))).Data().([]float64)
	e := math.E
	want := []float64{1, 0, 0, 1 / (2 + e), e / (2 + e), 1 / (2 + e), 1.0 / 3, 1.0 / 3, 1.0 / 3}
	for i := range want {
		if math.Abs(y[i]-want[i]) > 1e-15 {
			t.Errorf("softmax[%d] = %v, want %v", i, y[i], want[i])
		}
	}
}

func TestCrossentropyExtremeLogits(t *testing.T) {
	tests := []struct {
		name   string
		logits []float64
		target []float64
		want   float64 // exact −Σ t·log softmax
	}{
		{"confident right", []float64{1e4, -1e4, 0}, []float64{1, 0, 0}, 0},
		{"confident wrong", []float64{1e4, -1e4, 0}, []float64{0, 1, 0}, 2e4},
		{"wrong by 1e4", []float64{1e4, -1e4, 0}, []float64{0, 0, 1}, 1e4},
		{"all very negative", []float64{-1e4, -1e4, -1e4}, []float64{0, 1, 0}, math.Log(3)},
		{"all very positive", []float64{1e4, 1e4 + 1, 1e4}, []float64{0, 1, 0}, math.Log(1 + 2/math.E)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			x := matrix(g, "x", 1, 3, tc.logits)
			y := matrix(g, "y", 1, 3, tc.target)
			loss := G.Must(CategoricalCrossentropyFromLogits(x, y))
			grads, err := G.Grad(loss, x)
			if err != nil {
				t.Fatal(err)
			}
			var gv G.Value
			G.Read(grads[0], &gv)
			got := eval(t, g, loss).Data().(float64)
			if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-tc.want) > 1e-9*math.Max(1, tc.want) {
				t.Errorf("loss = %v, want %v", got, tc.want)
			}
			for i, d := range gv.Data().([]float64) {
				if math.IsNaN(d) || math.Abs(d) > 1 {
					t.Errorf("gradient[%d] = %v, want finite in [−1, 1]", i, d)
				}
			}
		})
	}
}

func TestCrossentropyProbsClipsLikeKeras(t *testing.T) {
	// p = (0, 0.25, 0.75) unnormalised ×2: the zero clips to 1e-7.
	g := G.NewGraph()
	p := matrix(g, "p", 2, 3, []float64{0, 0.5, 1.5, 0, 0.5, 1.5})
	y := matrix(g, "y", 2, 3, []float64{1, 0, 0, 0, 0, 1})
	got := eval(t, g, G.Must(CategoricalCrossentropy(p, y))).Data().(float64)
	want := (-math.Log(1e-7) - math.Log(0.75)) / 2
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("loss = %v, want %v", got, want)
	}
}

func TestDenseMatchesNaiveLoops(t *testing.T) {
	const n, in, out = 5, 7, 3
	rng := NewRand(3)
	x, w, b := make([]float32, n*in), make([]float32, in*out), make([]float32, out)
	for _, s := range [][]float32{x, w, b} {
		for i := range s {
			s[i] = float32(rng.Float64()*2 - 1)
		}
	}
	g := G.NewGraph()
	xn := G.NewMatrix(g, G.Float32, G.WithShape(n, in), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(n, in), tensor.WithBacking(x))))
	wn := G.NewMatrix(g, G.Float32, G.WithShape(in, out), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(in, out), tensor.WithBacking(w))))
	bn := G.NewMatrix(g, G.Float32, G.WithShape(1, out), G.WithName("b"), G.WithValue(tensor.New(tensor.WithShape(1, out), tensor.WithBacking(b))))
	got := eval(t, g, G.Must(Dense(xn, wn, bn))).Data().([]float32)
	for i := 0; i < n; i++ {
		for j := 0; j < out; j++ {
			var s float64
			for k := 0; k < in; k++ {
				s += float64(x[i*in+k]) * float64(w[k*out+j])
			}
			want := s + float64(b[j])
			if math.Abs(float64(got[i*out+j])-want) > 1e-5 {
				t.Errorf("y[%d,%d] = %v, want %v", i, j, got[i*out+j], want)
			}
		}
	}
}

func TestShapeErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("x"))
	w := G.NewMatrix(g, G.Float64, G.WithShape(4, 5), G.WithName("w"))
	b := G.NewMatrix(g, G.Float64, G.WithShape(1, 5), G.WithName("b"))
	b3 := G.NewVector(g, G.Float64, G.WithShape(3), G.WithName("b3"))
	w35 := G.NewMatrix(g, G.Float64, G.WithShape(3, 5), G.WithName("w35"))
	y := G.NewMatrix(g, G.Float64, G.WithShape(2, 4), G.WithName("y"))
	v := G.NewVector(g, G.Float64, G.WithShape(3), G.WithName("v"))
	tests := []struct {
		name string
		f    func() (*G.Node, error)
		want string
	}{
		{"dense features", func() (*G.Node, error) { return Dense(x, w, b) }, "input has 3 features"},
		{"dense bias", func() (*G.Node, error) { return Dense(x, w35, b3) }, "bias has shape (3)"},
		{"softmax vector", func() (*G.Node, error) { return Softmax(v) }, "2-D"},
		{"loss shapes", func() (*G.Node, error) { return CategoricalCrossentropyFromLogits(x, y) }, "target has shape (2, 4)"},
		{"mse shapes", func() (*G.Node, error) { return MeanSquaredError(x, y) }, "target has shape (2, 4)"},
	}
	for _, tc := range tests {
		_, err := tc.f()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestSoftmaxRejectsNaN(t *testing.T) {
	g := G.NewGraph()
	x := matrix(g, "x", 2, 2, []float64{0, 1, math.NaN(), 0})
	sm := G.Must(Softmax(x))
	var v G.Value
	G.Read(sm, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	err := vm.RunAll()
	if err == nil || !strings.Contains(err.Error(), "row 1, column 0") {
		t.Fatalf("error %v, want one naming row 1, column 0", err)
	}
}

func TestGlorotUniform(t *testing.T) {
	const in, out = 784, 512
	w := make([]float32, in*out)
	if err := GlorotUniform(NewRand(42), in, out, w); err != nil {
		t.Fatal(err)
	}
	limit := math.Sqrt(6.0 / (in + out))
	var sum, sq float64
	for _, v := range w {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("sample %v outside ±%v", v, limit)
		}
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(len(w))
	mean, variance := sum/n, sq/n
	// U(−l, l) has mean 0 and variance l²/3; 401,408 samples pin both
	// within a few standard errors.
	if math.Abs(mean) > 5*limit/math.Sqrt(3*n) {
		t.Errorf("mean %v, want ≈ 0", mean)
	}
	if want := limit * limit / 3; math.Abs(variance-want) > 0.01*want {
		t.Errorf("variance %v, want %v", variance, want)
	}
	again := make([]float32, in*out)
	_ = GlorotUniform(NewRand(42), in, out, again)
	other := make([]float32, in*out)
	_ = GlorotUniform(NewRand(43), in, out, other)
	if again[0] != w[0] || again[len(w)-1] != w[len(w)-1] {
		t.Error("same seed gave different weights")
	}
	if other[0] == w[0] && other[1] == w[1] {
		t.Error("different seeds gave the same weights")
	}
	if err := GlorotUniform(NewRand(1), 2, 2, make([]float32, 3)); err == nil {
		t.Error("want an error for a slice of the wrong length")
	}
}
