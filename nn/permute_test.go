package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// permuteNaive returns the samples of x, of shape (batch, s…), with their
// axes permuted as Keras's Permute(dims) does, in row-major order:
// output sample index (i₁, …, iᵣ) reads input sample index j with
// j[dims[k]−1] = i[k].
func permuteNaive(x []float32, batch int, s, dims []int) []float32 {
	r := len(s)
	to := make([]int, r)
	for k, d := range dims {
		to[k] = s[d-1]
	}
	n := len(x) / batch
	y := make([]float32, len(x))
	i, j := make([]int, r), make([]int, r)
	for b := 0; b < batch; b++ {
		for flat := 0; flat < n; flat++ {
			q := flat
			for k := r - 1; k >= 0; k-- {
				i[k] = q % to[k]
				q /= to[k]
			}
			for k, d := range dims {
				j[d-1] = i[k]
			}
			src := 0
			for a := 0; a < r; a++ {
				src = src*s[a] + j[a]
			}
			y[b*n+flat] = x[b*n+src]
		}
	}
	return y
}

// nlFloat32s returns a float32 tensor of the shape of U(−1, 1) values.
func nlFloat32s(rng *rand.Rand, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.Float64()*2 - 1)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// nlPredict compiles m (built with seed 1) and returns its predictions
// for x.
func nlPredict(t *testing.T, m *Model, x *tensor.Dense) *tensor.Dense {
	t.Helper()
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPermuteValues runs Permute, then Flatten, in a model on float32
// samples and compares the values, in their order, with a naive loop;
// and a Dense after them with the naive product of its weights and the
// naively permuted vectors, so that what follows Permute sees the
// permuted order.
func TestPermuteValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct {
		shape, dims []int
	}{
		{[]int{5}, []int{1}},
		{[]int{3, 4}, []int{2, 1}},
		{[]int{3, 4}, []int{1, 2}},
		{[]int{2, 3, 4}, []int{3, 1, 2}},
		{[]int{2, 3, 4}, []int{2, 3, 1}},
		{[]int{2, 3, 4}, []int{1, 3, 2}},
		{[]int{2, 3, 4}, []int{3, 2, 1}},
		{[]int{2, 1, 3, 2}, []int{4, 2, 1, 3}},
	} {
		t.Run(fmt.Sprint(tc.shape, tc.dims), func(t *testing.T) {
			const batch, units = 3, 2
			x := nlFloat32s(rng, append([]int{batch}, tc.shape...)...)
			want := permuteNaive(x.Data().([]float32), batch, tc.shape, tc.dims)
			n := len(want) / batch

			in := Input(tc.shape...)
			flat := Flatten().Call(Permute(tc.dims).Call(in))
			dense := Dense(units, Tanh)
			m, err := NewModel([]*Tensor{in}, []*Tensor{flat, dense.Call(flat)})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Build(1); err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
				t.Fatal(err)
			}
			out, err := m.PredictMulti(t.Context(), []*tensor.Dense{x}, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out[0].Shape(), tensor.Shape{batch, n}) {
				t.Fatalf("Flatten(Permute) gives shape %v, want (%d, %d)", out[0].Shape(), batch, n)
			}
			if got := out[0].Data().([]float32); !slices.Equal(got, want) {
				t.Fatalf("Flatten(Permute) gives\n%v\nwant\n%v", got, want)
			}
			k, bias := dense.Kernel().Data().([]float32), dense.Bias().Data().([]float32)
			got := out[1].Data().([]float32)
			for b := 0; b < batch; b++ {
				for u := 0; u < units; u++ {
					z := float64(bias[u])
					for i := 0; i < n; i++ {
						z += float64(want[b*n+i]) * float64(k[i*units+u])
					}
					if d := math.Abs(float64(got[b*units+u]) - math.Tanh(z)); d > 1e-5 {
						t.Errorf("Dense after Permute, sample %d unit %d: %v, want %v", b, u, got[b*units+u], math.Tanh(z))
					}
				}
			}
		})
	}
}

// TestPermuteThenReshape checks Permute followed by Reshape in a
// Sequential model against the naive loop.
func TestPermuteThenReshape(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	x := nlFloat32s(rng, 2, 3, 4, 2)
	m := NewSequential(Permute([]int{3, 1, 2}, InputShape(3, 4, 2)), Reshape([]int{24}))
	got := nlPredict(t, m, x)
	want := permuteNaive(x.Data().([]float32), 2, []int{3, 4, 2}, []int{3, 1, 2})
	if !slices.Equal(got.Shape(), tensor.Shape{2, 24}) || !slices.Equal(got.Data().([]float32), want) {
		t.Errorf("Reshape(Permute) gives %v %v, want (2, 24) %v", got.Shape(), got.Data(), want)
	}
}

// TestPermuteErrors: dims that are not a permutation of the sample axes,
// counted from 1, and bad saved configs.
func TestPermuteErrors(t *testing.T) {
	for _, tc := range []struct {
		dims  []int
		shape []int
		want  string
	}{
		{nil, []int{3, 4}, "dims () has 0 entries, but the input's samples have shape (3, 4), 2 axes"},
		{[]int{1}, []int{3, 4}, "dims (1) has 1 entries"},
		{[]int{1, 2, 3}, []int{3, 4}, "dims (1, 2, 3) has 3 entries"},
		{[]int{1, 1}, []int{3, 4}, "dims (1, 1) is not a permutation of 1 … 2"},
		{[]int{0, 1}, []int{3, 4}, "dims (0, 1) is not a permutation"},
		{[]int{2, 3}, []int{3, 4}, "dims (2, 3) is not a permutation"},
		{[]int{-1, 2}, []int{3, 4}, "dims (-1, 2) is not a permutation"},
	} {
		x := Permute(tc.dims).Call(Input(tc.shape...))
		if x.Err() == nil || !strings.Contains(x.Err().Error(), tc.want) {
			t.Errorf("Permute(%v) on %v: %v, want an error mentioning %q", tc.dims, tc.shape, x.Err(), tc.want)
		}
	}
	if _, err := NewModel([]*Tensor{Input(2, 3)}, []*Tensor{Permute([]int{3, 1}).Call(Input(2, 3))}); err == nil {
		t.Error("NewModel of a bad Permute: no error")
	}
	nlConfigError(t, "Permute", `{"name": "p"}`, "config.dims is missing")
	nlConfigError(t, "Permute", `{"name": "p", "dims": [2, 1], "axes": 1}`, "config.axes: no such setting")
	nlConfigError(t, "Permute", `{"name": "p", "dims": "21"}`, "cannot unmarshal")
}

// TestPermuteSummaryAndSaveLoad checks the summary's rows of a model
// with Permute layers and that Save and Load give them back, with their
// settings and the model's predictions.
func TestPermuteSummaryAndSaveLoad(t *testing.T) {
	x, y := blobs(t, 8, 3, 2, 3, 2)
	seq := NewSequential(Permute([]int{3, 1, 2}, InputShape(2, 3, 2)), Flatten(), Dense(3, Linear))
	nlSummaryHas(t, seq, "permute (Permute)            (None, 2, 2, 3)           0         \n")
	in := Input(2, 3, 2)
	a := Permute([]int{2, 3, 1}).Call(in)
	fn, err := NewModel([]*Tensor{in}, []*Tensor{Dense(3, Linear).Call(Flatten().Call(Permute([]int{3, 1, 2}).Call(a)))})
	if err != nil {
		t.Fatal(err)
	}
	nlSummaryHas(t, fn, "permute (Permute)               (None, 3, 2, 2)      0           input_1[0][0]",
		"permute_1 (Permute)             (None, 2, 3, 2)      0           permute[0][0]")
	for name, m := range map[string]*Model{"sequential": seq, "functional": fn} {
		t.Run(name, func(t *testing.T) {
			got := nlRoundTrip(t, m, x, y)
			if p, ok := got.Layer("permute").(*PermuteLayer); !ok || !slices.Equal(p.Dims(), m.Layer("permute").(*PermuteLayer).Dims()) {
				t.Errorf("loaded permute is %#v", got.Layer("permute"))
			}
		})
	}
}
