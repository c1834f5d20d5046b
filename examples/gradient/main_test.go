package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestHandBackpropEqualsGrad(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		m := newNet(seed)
		hl, hand := m.handGradients(nil)
		sl, sym, err := m.symbolicGradients()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(hl-sl) > 1e-9 {
			t.Errorf("seed %d: loss by hand %v, Gorgonia %v", seed, hl, sl)
		}
		for i, name := range []string{"W1", "b1", "W2", "b2"} {
			if len(hand[i]) != len(sym[i]) {
				t.Fatalf("seed %d: dL/d%s has %d entries by hand, %d from Grad", seed, name, len(hand[i]), len(sym[i]))
			}
			if d := maxDiff(hand[i], sym[i]); d > 1e-6 {
				t.Errorf("seed %d: dL/d%s differs by %g", seed, name, d)
			}
		}
	}
}

func TestHandBackpropIsNotTheLessonsShortcut(t *testing.T) {
	// A finite difference on W2[0] confirms the hand gradient is the
	// gradient of the loss (the lesson's x·yᵀ "gradient" is not).
	m := newNet(5)
	_, hand := m.handGradients(nil)
	const h = 1e-6
	orig := m.w2[0]
	m.w2[0] = orig + h
	up, _ := m.handGradients(nil)
	m.w2[0] = orig - h
	down, _ := m.handGradients(nil)
	m.w2[0] = orig
	if fd := (up - down) / (2 * h); math.Abs(fd-hand[2][0]) > 1e-6 {
		t.Errorf("dL/dW2[0]: hand %v, finite difference %v", hand[2][0], fd)
	}
}

func TestDerivative(t *testing.T) {
	for _, x := range []float64{-1, 0, 0.5, 2, 3.7} {
		f, df, err := symbolicDerivative(cubic, x)
		if err != nil {
			t.Fatal(err)
		}
		if want := x*x*x - 2*x*x + 3; math.Abs(f-want) > 1e-12 {
			t.Errorf("f(%v) = %v, want %v", x, f, want)
		}
		if want := 3*x*x - 4*x; math.Abs(df-want) > 1e-12 {
			t.Errorf("f′(%v) = %v, want %v", x, df, want)
		}
	}
}

func TestGradientDescentConverges(t *testing.T) {
	var losses []float64
	x, y, err := gradientDescent(-2, 2, 0.1, 60, func(_ int, _, _, l float64) { losses = append(losses, l) })
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(losses); i++ {
		if losses[i] > losses[i-1] {
			t.Fatalf("loss rose at step %d: %v → %v", i, losses[i-1], losses[i])
		}
	}
	// x − 1 shrinks by 0.8 a step, y + 0.5 by 0.6: after 60 steps both
	// are within 1e-5 of the minimum.
	if math.Abs(x-1) > 1e-5 || math.Abs(y+0.5) > 1e-5 {
		t.Errorf("ended at (%v, %v), want (1, −0.5)", x, y)
	}
	if want := 3 * math.Pow(0.8, 60); math.Abs((x-1)+want) > 1e-12 {
		t.Errorf("x − 1 = %v, want −3·0.8⁶⁰ = %v", x-1, -want)
	}
}

func TestLinearSGD(t *testing.T) {
	h, a, b, err := fitLine(8)
	if err != nil {
		t.Fatal(err)
	}
	loss := h.Values["loss"]
	if !(loss[len(loss)-1] < loss[0]/100) {
		t.Errorf("loss %v did not fall a hundredfold", loss)
	}
	// The noise has variance 0.01: the fit cannot do better, and should
	// come close.
	if last := loss[len(loss)-1]; last < 0.005 || last > 0.02 {
		t.Errorf("final loss %v, want about the noise variance 0.01", last)
	}
	if math.Abs(float64(a)-3) > 0.05 || math.Abs(float64(b)+2) > 0.05 {
		t.Errorf("learned y = %v·x + %v, want about 3x − 2", a, b)
	}
}

func TestRunPrintsAllParts(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. A derivative", "2. Gradient descent", "3. Mini-batch SGD", "4. Backpropagation", "max |difference|"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
