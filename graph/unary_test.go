package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSigmoidAndTanhValues runs both activations and their gradients on
// extreme and ordinary values, in float32 and float64, against math's
// formulas.
func TestSigmoidAndTanhValues(t *testing.T) {
	xs := []float64{math.Inf(-1), -1000, -104, -20, -1, -1e-8, 0, 1e-8, 0.5, 1, 17, 20, 1000, math.Inf(1), math.NaN()}
	for _, c := range []struct {
		name string
		f    Activation
		want func(float64) float64
		dydx func(float64) float64
	}{
		{"Sigmoid", Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, func(y float64) float64 { return y * (1 - y) }},
		{"Tanh", Tanh, math.Tanh, func(y float64) float64 { return 1 - y*y }},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			g := G.NewGraph()
			var x *G.Node
			if dt == tensor.Float32 {
				d := make([]float32, len(xs))
				for i, v := range xs {
					d[i] = float32(v)
				}
				x = G.NewVector(g, dt, G.WithShape(len(xs)), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking(d))))
			} else {
				x = G.NewVector(g, dt, G.WithShape(len(xs)), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking(append([]float64(nil), xs...)))))
			}
			y := G.Must(c.f(x))
			if _, err := G.Grad(G.Must(G.Sum(y)), x); err != nil {
				t.Fatal(err)
			}
			m := G.NewTapeMachine(g)
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			dx, err := x.Grad()
			if err != nil {
				t.Fatal(err)
			}
			gotY, gotD := floats64(y.Value()), floats64(dx)
			m.Close()
			// float64 must be exact; float32 within 1 ulp of the float64
			// value rounded (its arithmetic rounds at each step).
			near := func(got, want float64) bool {
				if dt == tensor.Float64 {
					return same(got, want)
				}
				return ulps(float32(got), float32(want)) <= 1
			}
			for i, v := range xs {
				if dt == tensor.Float32 {
					v = float64(float32(v))
				}
				if want := c.want(v); !near(gotY[i], want) {
					t.Errorf("%s %v: f(%v) = %v, want %v", c.name, dt, v, gotY[i], want)
				}
				if wantD := c.dydx(gotY[i]); !near(gotD[i], wantD) {
					t.Errorf("%s %v: f'(%v) = %v, want %v", c.name, dt, v, gotD[i], wantD)
				}
			}
		}
	}
}

// floats64 returns a float32 or float64 tensor's values as float64.
func floats64(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	}
	return nil
}

// ulps is how many float32 values lie from a to b (0 for two NaNs or
// ±0), or a large number when only one is NaN.
func ulps(a, b float32) int64 {
	switch {
	case a == b || a != a && b != b:
		return 0
	case a != a || b != b || (a < 0) != (b < 0):
		return math.MaxInt64
	}
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	return max(d, -d)
}

// TestTanh32MatchesMathTanh sweeps float32 inputs, evenly from −10 to 10
// and over every binary exponent from 2^-40 to 2^5, through tanh32 and
// checks each is within 1 ulp of math.Tanh rounded to float32.
func TestTanh32MatchesMathTanh(t *testing.T) {
	var x []float32
	for i := -1000000; i <= 1000000; i++ {
		x = append(x, float32(i)/100000)
	}
	for e := -40; e < 5; e++ {
		for i := 0; i < 5000; i++ {
			v := float32(math.Ldexp(1+float64(i)/5000, e))
			x = append(x, v, -v)
		}
	}
	y := make([]float32, len(x))
	tanh32(y, x)
	off := 0
	for i, v := range x {
		want := float32(math.Tanh(float64(v)))
		switch d := ulps(y[i], want); {
		case d > 1:
			t.Fatalf("tanh32(%v) = %v, math.Tanh gives %v: %d ulps apart", v, y[i], want, d)
		case d == 1:
			off++
		}
	}
	t.Logf("%d of %d inputs 1 ulp from math.Tanh, the rest equal", off, len(x))
}

// same is equality that also holds between two NaNs.
func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestSigmoidAndTanhReuseTheirOutputs(t *testing.T) {
	m := func(r, c int) *tensor.Dense {
		d := make([]float32, r*c)
		for i := range d {
			d[i] = float32(i%7) - 3
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(d))
	}
	for _, u := range []*unary{sigmoid, tanh} {
		checkReuse(t, u.name, &unaryOp{opInfo: opInfo{u.name}, u: u}, m(4, 5))
		checkReuse(t, u.name+"Grad", &unaryOp{opInfo: opInfo{u.name + "Grad"}, u: u, grad: true}, m(4, 5), m(4, 5))
		big := m(300, 400) // past elementGrain: spread over the cores
		checkReuse(t, u.name+" (parallel)", &unaryOp{opInfo: opInfo{u.name}, u: u}, big)
	}
}

func TestSigmoidAndTanhErrors(t *testing.T) {
	g := G.NewGraph()
	ints := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("i"))
	for _, f := range []Activation{Sigmoid, Tanh} {
		if _, err := f(nil); err == nil {
			t.Error("nil node: no error")
		}
		if _, err := f(ints); err == nil {
			t.Error("an int node: no error")
		}
	}
	op := &unaryOp{opInfo: opInfo{"SigmoidGrad"}, u: sigmoid, grad: true}
	a := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))
	b := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(make([]float32, 6)))
	if _, err := op.Do(a, b); err == nil {
		t.Error("gradient of differing shapes: no error")
	}
	if _, err := op.Do(a); err == nil {
		t.Error("gradient with one input: no error")
	}
}
