package train

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
)

// The references below redo Keras 3's update rules (KERAS.md) in float64,
// written out step by step, for one weight seeing the gradients gs.
var gs = []float64{0.5, -0.2, 0.8, 0.1}

func rmspropRef(w, lr, rho, mom, eps float64, centered bool) []float64 {
	var v, m, mg float64
	var ws []float64
	for _, g := range gs {
		v = rho*v + (1-rho)*g*g
		den := v
		if centered {
			mg = rho*mg + (1-rho)*g
			den = v - mg*mg
		}
		inc := lr * g / math.Sqrt(den+eps)
		if mom > 0 {
			m = mom*m + inc
			w -= m
		} else {
			w -= inc
		}
		ws = append(ws, w)
	}
	return ws
}

func sgdRef(w, lr, mom float64, nesterov bool) []float64 {
	var m float64
	var ws []float64
	for _, g := range gs {
		switch {
		case mom == 0:
			w -= lr * g
		case nesterov:
			m = mom*m - lr*g
			w += mom*m - lr*g
		default:
			m = mom*m - lr*g
			w += m
		}
		ws = append(ws, w)
	}
	return ws
}

func adamRef(w, lr, b1, b2, eps float64) []float64 {
	var m, v float64
	var ws []float64
	for i, g := range gs {
		t := float64(i + 1)
		m += (g - m) * (1 - b1)
		v += (g*g - v) * (1 - b2)
		alpha := lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
		w -= alpha * m / (math.Sqrt(v) + eps)
		ws = append(ws, w)
	}
	return ws
}

func TestOptimizersFollowKeras(t *testing.T) {
	rms := func(f func(o *RMSpropOptimizer)) Optimizer { o := RMSprop(); f(o); return o }
	sgd := func(f func(o *SGDOptimizer)) Optimizer { o := SGD(); f(o); return o }
	tests := []struct {
		name string
		opt  Optimizer
		want []float64
	}{
		{"RMSprop defaults", RMSprop(), rmspropRef(1, 0.001, 0.9, 0, 1e-7, false)},
		{"RMSprop momentum", rms(func(o *RMSpropOptimizer) { o.Momentum = 0.9; o.LearningRate = 0.01 }), rmspropRef(1, 0.01, 0.9, 0.9, 1e-7, false)},
		{"RMSprop centered", rms(func(o *RMSpropOptimizer) { o.Centered = true }), rmspropRef(1, 0.001, 0.9, 0, 1e-7, true)},
		{"SGD defaults", SGD(), sgdRef(1, 0.01, 0, false)},
		{"SGD momentum", sgd(func(o *SGDOptimizer) { o.Momentum = 0.9 }), sgdRef(1, 0.01, 0.9, false)},
		{"SGD Nesterov", sgd(func(o *SGDOptimizer) { o.Momentum = 0.9; o.Nesterov = true }), sgdRef(1, 0.01, 0.9, true)},
		{"Adam defaults", Adam(), adamRef(1, 0.001, 0.9, 0.999, 1e-7)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opt.Init([]int{1}); err != nil {
				t.Fatal(err)
			}
			w := []float32{1}
			for i, g := range gs {
				tc.opt.Update([][]float32{w}, [][]float32{{float32(g)}})
				if d := math.Abs(float64(w[0]) - tc.want[i]); d > 2e-7 {
					t.Errorf("step %d: w = %.9f, want %.9f", i+1, w[0], tc.want[i])
				}
			}
		})
	}
}

func TestRMSpropFirstStepByHand(t *testing.T) {
	// v = 0.1·0.5² = 0.025; w = 1 − 0.001·0.5/√(0.025 + 1e-7) = 0.99683772…
	o := RMSprop()
	if err := o.Init([]int{1}); err != nil {
		t.Fatal(err)
	}
	w := []float32{1}
	o.Update([][]float32{w}, [][]float32{{0.5}})
	if want := float32(0.9968377); math.Abs(float64(w[0]-want)) > 1e-7 {
		t.Errorf("w = %.8f, want %.8f", w[0], want)
	}
	// Adam's first step moves every weight by lr·sign(g) (up to ε).
	a := Adam()
	_ = a.Init([]int{2})
	w = []float32{1, 1}
	a.Update([][]float32{w}, [][]float32{{0.5, -3}})
	if math.Abs(float64(w[0])-0.999) > 1e-6 || math.Abs(float64(w[1])-1.001) > 1e-6 {
		t.Errorf("Adam first step: %v, want [0.999 1.001]", w)
	}
}

func TestOptimizerSettingsChecked(t *testing.T) {
	bad := []Optimizer{
		&RMSpropOptimizer{LearningRate: 0, Rho: 0.9},
		&RMSpropOptimizer{LearningRate: 0.1, Rho: 1},
		&SGDOptimizer{LearningRate: -1},
		&SGDOptimizer{LearningRate: 0.1, Nesterov: true},
		&AdamOptimizer{LearningRate: 0.1, Beta1: 1.5, Beta2: 0.9},
		&AdamOptimizer{LearningRate: float32(math.NaN())},
	}
	for i, o := range bad {
		if err := o.Init([]int{1}); err == nil {
			t.Errorf("optimizer %d (%+v): want an error", i, o)
		}
	}
}

// TestRMSpropKernelMatchesGoLoop checks that the vector kernel of the
// plain RMSprop step gives the Go loop's results to the bit, on a length
// that leaves a tail for the loop.
func TestRMSpropKernelMatchesGoLoop(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX kernel on this CPU or build")
	}
	defer func() { useAVX = true }()
	const n = 1003
	run := func(avx bool) ([]float32, []float32) {
		useAVX = avx
		rng := graph.NewRand(9)
		w, v := make([]float32, n), make([]float32, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64())
		}
		o := RMSprop()
		if err := o.Init([]int{n}); err != nil {
			t.Fatal(err)
		}
		g := make([]float32, n)
		for step := 0; step < 5; step++ {
			for i := range g {
				g[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
			}
			o.Update([][]float32{w}, [][]float32{g})
		}
		copy(v, o.v[0])
		return w, v
	}
	wa, va := run(true)
	wg, vg := run(false)
	for i := range wa {
		if math.Float32bits(wa[i]) != math.Float32bits(wg[i]) || math.Float32bits(va[i]) != math.Float32bits(vg[i]) {
			t.Fatalf("element %d: kernel w %v v %v, Go loop w %v v %v", i, wa[i], va[i], wg[i], vg[i])
		}
	}
}

// TestAdamOneMinusBetaAsKeras checks the moments' weights: Keras computes
// 1 − β₂ from the Python float 0.999 and rounds that to float32
// (0.001), where 1 − float32(0.999) is 0.00099998713, 1.3e-5 off.
func TestAdamOneMinusBetaAsKeras(t *testing.T) {
	a := Adam()
	if err := a.Init([]int{1}); err != nil {
		t.Fatal(err)
	}
	w := []float32{1}
	a.Update([][]float32{w}, [][]float32{{1}})
	wantM, wantV := float32(1-0.9), float32(1-0.999) // constants: exact, then rounded
	if a.m[0][0] != wantM || a.v[0][0] != wantV {
		t.Errorf("after one step of gradient 1: m = %.10g, v = %.10g; want %.10g, %.10g", a.m[0][0], a.v[0][0], wantM, wantV)
	}
	if old := float32(1) - float32(0.999); old == wantV {
		t.Fatalf("the check cannot tell: 1 − float32(0.999) = %v too", old)
	}
}
