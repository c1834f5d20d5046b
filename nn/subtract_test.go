package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// TestSubtractValues compares Subtract's output, in a model of two
// inputs, with x₀ − x₁ worked out value by value, for vectors and (after
// Flatten) images; and the reverse order, which negates it.
func TestSubtractValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	for _, shape := range [][]int{{5}, {2, 3, 2}} {
		const batch = 4
		a, b := nlFloat32s(rng, append([]int{batch}, shape...)...), nlFloat32s(rng, append([]int{batch}, shape...)...)
		x0, x1 := Input(shape...), Input(shape...)
		d, r := Subtract().Call(x0, x1), Subtract().Call(x1, x0)
		if len(shape) > 1 {
			d, r = Flatten().Call(d), Flatten().Call(r)
		}
		m, err := NewModel([]*Tensor{x0, x1}, []*Tensor{d, r})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(1); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
			t.Fatal(err)
		}
		out, err := m.PredictMulti(t.Context(), []*tensor.Dense{a, b}, train.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		av, bv := a.Data().([]float32), b.Data().([]float32)
		for i := range av {
			if got := out[0].Data().([]float32)[i]; got != av[i]-bv[i] {
				t.Fatalf("%v: x0 − x1 at %d is %v, want %v", shape, i, got, av[i]-bv[i])
			}
			if got := out[1].Data().([]float32)[i]; got != bv[i]-av[i] {
				t.Fatalf("%v: x1 − x0 at %d is %v, want %v", shape, i, got, bv[i]-av[i])
			}
		}
	}
}

// TestSubtractErrors: anything but two inputs of one shape, and a saved
// config with a setting.
func TestSubtractErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inputs []*Tensor
		want   string
	}{
		{"one input", []*Tensor{Input(3)}, "a Subtract layer takes exactly two inputs, got 1"},
		{"three inputs", []*Tensor{Input(3), Input(3), Input(3)}, "a Subtract layer takes exactly two inputs, got 3"},
		{"other shapes", []*Tensor{Input(3), Input(4)}, "a Subtract layer needs inputs of one shape, but input 1 has (4) and input 0 (3)"},
		{"other ranks", []*Tensor{Input(2, 3), Input(6)}, "input 1 has (6) and input 0 (2, 3)"},
	} {
		if x := Subtract().Call(tc.inputs...); x.Err() == nil || !strings.Contains(x.Err().Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tc.name, x.Err(), tc.want)
		}
	}
	nlConfigError(t, "Subtract", `{"name": "s", "axis": 1}`, "config.axis: no such setting")
}

// TestSubtractSummaryAndSaveLoad checks the summary's rows of a model
// with a Subtract layer (its two inputs listed) and that Save and Load
// give it back with the model's predictions.
func TestSubtractSummaryAndSaveLoad(t *testing.T) {
	x, y := blobs(t, 8, 3, 4)
	in := Input(4)
	a, b := Dense(5, Tanh).Call(in), Dense(5, ReLU).Call(in)
	m, err := NewModel([]*Tensor{in}, []*Tensor{Dense(3, Linear).Call(Subtract().Call(a, b))})
	if err != nil {
		t.Fatal(err)
	}
	nlSummaryHas(t, m, "subtract (Subtract)             (None, 5)            0           dense[0][0]",
		"                                                                 dense_1[0][0]")
	got := nlRoundTrip(t, m, x, y)
	if _, ok := got.Layer("subtract").(*SubtractLayer); !ok {
		t.Errorf("loaded subtract is %#v", got.Layer("subtract"))
	}
}
