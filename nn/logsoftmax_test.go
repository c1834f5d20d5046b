package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// TestLogSoftmaxNamed: Keras's name, known to ActivationNamed (and so to
// Load).
func TestLogSoftmaxNamed(t *testing.T) {
	a, err := ActivationNamed("log_softmax")
	if err != nil || a.Name() != "log_softmax" || LogSoftmax.Name() != "log_softmax" {
		t.Errorf(`ActivationNamed("log_softmax") = %v, %v`, a.Name(), err)
	}
	if _, err := ActivationNamed("logsoftmax"); err == nil || !strings.Contains(err.Error(), "log_softmax") {
		t.Errorf("an unknown name's error does not list log_softmax: %v", err)
	}
}

// TestLogSoftmaxValues compares a Dense layer's log_softmax output with
// x·W + b − log Σ exp(x·W + b) worked out in float64 from its weights,
// on logits large enough that exp overflows float32.
func TestLogSoftmaxValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	const batch, in, units = 5, 3, 4
	x := nlFloat32s(rng, batch, in)
	for i, v := range x.Data().([]float32) {
		x.Data().([]float32)[i] = v * 60 // logits of some hundreds
	}
	dense := Dense(units, LogSoftmax, InputShape(in))
	got := nlPredict(t, NewSequential(dense), x).Data().([]float32)
	k, b, xv := dense.Kernel().Data().([]float32), dense.Bias().Data().([]float32), x.Data().([]float32)
	for r := 0; r < batch; r++ {
		z := make([]float64, units)
		m := math.Inf(-1)
		for u := range z {
			z[u] = float64(b[u])
			for i := 0; i < in; i++ {
				z[u] += float64(xv[r*in+i]) * float64(k[i*units+u])
			}
			m = math.Max(m, z[u])
		}
		sum := 0.0
		for _, v := range z {
			sum += math.Exp(v - m)
		}
		for u, v := range z {
			want := v - m - math.Log(sum)
			if g := float64(got[r*units+u]); math.IsNaN(g) || math.Abs(g-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("sample %d unit %d: %v, want %v", r, u, g, want)
			}
		}
	}
}

// TestLogSoftmaxNotASoftmax checks that the losses do not take a
// log_softmax output for a softmax's: its node gives no logits, and the
// categorical cross-entropy reads a model's log_softmax outputs as
// probabilities, as Keras does, which, negative, it refuses, rather than
// taking them for logits.
func TestLogSoftmaxNotASoftmax(t *testing.T) {
	g := G.NewGraph()
	xn := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithInit(G.Ones()))
	w := G.NewMatrix(g, G.Float64, G.WithShape(3, 4), G.WithName("w"), G.WithInit(G.Ones()))
	bn := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("b"), G.WithInit(G.Zeroes()))
	out, err := Dense(4, LogSoftmax).Forward([]*G.Node{xn}, []*G.Node{w, bn}, train.Mode{})
	if err != nil {
		t.Fatal(err)
	}
	if graph.IsSoftmax(out) || graph.Logits(out) != nil {
		t.Error("a log_softmax output passes for a softmax's")
	}
	x, y := blobs(t, 6, 3, 4)
	m := NewSequential(Dense(3, LogSoftmax, InputShape(4)))
	if err := m.Build(2); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.SGD(), train.CategoricalCrossentropy()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Evaluate(x, y, train.Verbose(0)); err == nil || !strings.Contains(err.Error(), "want a positive finite sum") {
		t.Errorf("categorical cross-entropy of log_softmax outputs: %v, want the probabilities' error", err)
	}
}

// TestLogSoftmaxNeedsVectors: like softmax, log_softmax follows vector
// outputs only.
func TestLogSoftmaxNeedsVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    *Tensor
	}{
		{"Conv2D", Conv2D(2, [2]int{2, 2}, LogSoftmax).Call(Input(4, 4, 1))},
		{"Activation", Activate(LogSoftmax).Call(Input(3, 4))},
	} {
		if tc.x.Err() == nil || !strings.Contains(tc.x.Err().Error(), "log_softmax needs vector outputs") {
			t.Errorf("%s with log_softmax on images: %v", tc.name, tc.x.Err())
		}
	}
}

// TestLogSoftmaxSaveLoad checks that a model ending in log_softmax (a
// Dense and an Activation layer) is saved and loaded with it.
func TestLogSoftmaxSaveLoad(t *testing.T) {
	x, y := blobs(t, 8, 3, 4)
	m := NewSequential(Dense(5, LogSoftmax, InputShape(4)), Activate(LogSoftmax), Dense(3, LogSoftmax))
	got := nlRoundTrip(t, m, x, y)
	for _, name := range []string{"dense", "dense_1"} {
		if d, ok := got.Layer(name).(*DenseLayer); !ok || d.Activation().Name() != "log_softmax" {
			t.Errorf("loaded %s is %#v", name, got.Layer(name))
		}
	}
	if a, ok := got.Layer("activation").(*ActivationLayer); !ok || a.Activation().Name() != "log_softmax" {
		t.Errorf("loaded activation is %#v", got.Layer("activation"))
	}
}
