package digits

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// model builds and, unless compile is false, compiles m.
func model(t *testing.T, m *nn.Sequential, compile bool) *nn.Sequential {
	t.Helper()
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if compile {
		if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy()); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func TestNew(t *testing.T) {
	for _, c := range []struct {
		name  string
		model *nn.Sequential
		k     int
		says  string // "" for none
	}{
		{"mlp", model(t, nn.NewSequential(nn.Dense(10, nn.Softmax, nn.InputShape(784))), true), 3, ""},
		{"convnet", model(t, nn.NewSequential(nn.Conv2D(2, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)), nn.Flatten(), nn.Dense(10, nn.Softmax)), true), 3, ""},
		{"other input", model(t, nn.NewSequential(nn.Dense(10, nn.Softmax, nn.InputShape(100))), true), 3, "not 28×28"},
		{"other output", model(t, nn.NewSequential(nn.Dense(5, nn.Softmax, nn.InputShape(784))), true), 3, "not 10"},
		{"not compiled", model(t, nn.NewSequential(nn.Dense(10, nn.Softmax, nn.InputShape(784))), false), 3, "not compiled"},
		{"k zero", model(t, nn.NewSequential(nn.Dense(10, nn.Softmax, nn.InputShape(784))), true), 0, "at least 1"},
	} {
		_, err := New(c.model, c.k)
		if c.says == "" && err != nil || c.says != "" && (err == nil || !strings.Contains(err.Error(), c.says)) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.says)
		}
	}
}

// TestClassify checks the answers against Predict for both input shapes,
// and the errors for bad rows.
func TestClassify(t *testing.T) {
	for _, m := range []*nn.Sequential{
		model(t, nn.NewSequential(nn.Dense(10, nn.Softmax, nn.InputShape(784))), true),
		model(t, nn.NewSequential(nn.Conv2D(2, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)), nn.Flatten(), nn.Dense(10, nn.Softmax)), true),
	} {
		c, err := New(m, 20)
		if err != nil {
			t.Fatal(err)
		}
		rows := [][]float32{make([]float32, Pixels), make([]float32, Pixels)}
		for i := range rows[1] {
			rows[1][i] = float32(i%28) / 27
		}
		answers, err := c.Classify(context.Background(), rows)
		if err != nil {
			t.Fatal(err)
		}
		x := append(append([]float32(nil), rows[0]...), rows[1]...)
		p, err := m.Predict(tensor.New(tensor.WithShape(append([]int{2}, m.InputShape()...)...), tensor.WithBacking(x)), train.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		want := p.Data().([]float32)
		for i, a := range answers {
			if !slices.Equal(a.Probabilities, want[i*Classes:(i+1)*Classes]) {
				t.Errorf("%v row %d: probabilities %v, Predict gives %v", m.InputShape(), i, a.Probabilities, want[i*Classes:(i+1)*Classes])
			}
			var sum float64
			for _, p := range a.Probabilities {
				sum += float64(p)
			}
			if len(a.Top) != Classes || math.Abs(sum-1) > 1e-5 || a.Top[0].Probability != float64(a.Probabilities[a.Top[0].Class]) {
				t.Errorf("%v row %d: answer %+v: want all 10 classes (k is capped), probabilities summing to 1", m.InputShape(), i, a)
			}
		}
		for _, c2 := range []struct {
			name string
			rows [][]float32
			says string
		}{
			{"none", nil, "no rows"},
			{"short", [][]float32{make([]float32, Pixels), make([]float32, 783)}, "row 1 has 783 values"},
			{"nan", [][]float32{append(make([]float32, Pixels-1), float32(math.NaN()))}, "row 0: value 783"},
		} {
			if _, err := c.Classify(context.Background(), c2.rows); err == nil || !strings.Contains(err.Error(), c2.says) {
				t.Errorf("%s: error %v, want one saying %q", c2.name, err, c2.says)
			}
		}
	}
}
