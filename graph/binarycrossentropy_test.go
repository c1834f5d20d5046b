package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bce builds f on (rows, cols) float64 predictions and targets and
// returns the loss.
func bce(t *testing.T, f func(p, t *G.Node) (*G.Node, error), p, y []float64, rows, cols int) float64 {
	t.Helper()
	g := G.NewGraph()
	pn := matrix(g, "p", rows, cols, p)
	yn := matrix(g, "y", rows, cols, y)
	return eval(t, g, G.Must(f(pn, yn))).Data().(float64)
}

// TestBinaryCrossentropyValues checks Keras 3's documented example of
// keras.ops.binary_crossentropy (targets 0, 1, 1, 0 and probabilities
// 0.1, 0.9, 0.8, 0.2 give 0.10536054, 0.10536054, 0.22314355,
// 0.22314355, whose mean is the loss), the same from the logits, and
// the extremes.
func TestBinaryCrossentropyValues(t *testing.T) {
	y := []float64{0, 1, 1, 0}
	p := []float64{0.1, 0.9, 0.8, 0.2}
	want := (0.10536054 + 0.10536054 + 0.22314355 + 0.22314355) / 4
	if got := bce(t, BinaryCrossentropy, p, y, 4, 1); math.Abs(got-want) > 1e-7 {
		t.Errorf("from probabilities: %v, want Keras's %v", got, want)
	}
	logits := make([]float64, len(p))
	for i, q := range p {
		logits[i] = math.Log(q / (1 - q))
	}
	if got := bce(t, BinaryCrossentropyFromLogits, logits, y, 2, 2); math.Abs(got-want) > 1e-7 {
		t.Errorf("from logits: %v, want Keras's %v", got, want)
	}
	// Logits far out: exact and finite. Right answers cost 0, wrong ones
	// the logit's size: (0 + 0 + 1000 + 1000)/4.
	if got := bce(t, BinaryCrossentropyFromLogits, []float64{1000, -1000, 1000, -1000}, []float64{1, 0, 0, 1}, 1, 4); got != 500 {
		t.Errorf("logits ±1000: %v, want 500", got)
	}
	// Probabilities 0 and 1 are clipped to 1e-7 and 1−1e-7.
	clipped := -math.Log(Epsilon)
	if got := bce(t, BinaryCrossentropy, []float64{0, 1}, []float64{1, 0}, 1, 2); math.Abs(got-clipped) > 1e-9 {
		t.Errorf("probabilities 0 and 1, both wrong: %v, want −log(1e-7) = %v", got, clipped)
	}
}

func TestIsSoftmaxIsSigmoidAndLogits(t *testing.T) {
	g := G.NewGraph()
	x := matrix(g, "x", 2, 3, make([]float64, 6))
	z := G.Must(Tanh(x))
	for _, c := range []struct {
		name             string
		n                *G.Node
		softmax, sigmoid bool
		logits           *G.Node
	}{
		{"softmax", G.Must(Softmax(x)), true, false, x},
		{"sigmoid", G.Must(Sigmoid(x)), false, true, x},
		{"softmax of tanh", G.Must(Softmax(z)), true, false, z},
		{"tanh", z, false, false, nil},
		{"relu", G.Must(ReLU(x)), false, false, nil},
		{"input", x, false, false, nil},
		{"nil", nil, false, false, nil},
	} {
		if got := Logits(c.n); got != c.logits {
			t.Errorf("Logits(%s) = %v, want %v", c.name, got, c.logits)
		}
		if got := IsSoftmax(c.n); got != c.softmax {
			t.Errorf("IsSoftmax(%s) = %v", c.name, got)
		}
		if got := IsSigmoid(c.n); got != c.sigmoid {
			t.Errorf("IsSigmoid(%s) = %v", c.name, got)
		}
	}
}

func TestBinaryCrossentropyReusesItsOutputs(t *testing.T) {
	m := func(r, c int) *tensor.Dense {
		d := make([]float32, r*c)
		for i := range d {
			d[i] = float32(i%5) / 5
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(d))
	}
	scalar := G.F32(1)
	checkReuse(t, "SigmoidCrossentropyGrad", kernel(&rowOp{opInfo: opInfo{"SigmoidCrossentropyGrad"}, matrices: 2, scalarIn: true},
		bceLogitsGradRows[float64], bceLogitsGradRows[float32]), m(4, 3), m(4, 3), &scalar)
	checkReuse(t, "BinaryCrossentropyGrad", kernel(&rowOp{opInfo: opInfo{"BinaryCrossentropyGrad"}, matrices: 2, scalarIn: true},
		bceProbsGradRows[float64], bceProbsGradRows[float32]), m(4, 3), m(4, 3), &scalar)
}

// TestBinaryCrossentropyClipsInFloat32 checks the clip bounds Keras uses
// for float32: 1 − 1e-7 rounds to 0.99999988, so a probability of 1 where
// the target is 0 costs −log(1 − 0.99999988) = −log(1.1920929e-7).
func TestBinaryCrossentropyClipsInFloat32(t *testing.T) {
	g := G.NewGraph()
	p := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 1), G.WithName("p"), G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float32{1}))))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 1), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float32{0}))))
	got := eval(t, g, G.Must(BinaryCrossentropy(p, y))).Data().(float32)
	if want := float32(-math.Log(1.1920929e-7)); math.Abs(float64(got-want)) > 1e-5 {
		t.Errorf("float32 loss %v, want Keras's %v (not −log(1e-7) = 16.118)", got, want)
	}
}
