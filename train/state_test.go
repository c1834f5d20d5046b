package train

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
)

// optimizerCases are the optimizers, so configured that every slot is in
// use.
func optimizerCases() []struct {
	name  string
	make  func() Optimizer
	slots []string
} {
	return []struct {
		name  string
		make  func() Optimizer
		slots []string
	}{
		{"RMSprop", func() Optimizer { return RMSprop() }, []string{"v"}},
		{"RMSprop momentum centered", func() Optimizer {
			o := RMSprop()
			o.Momentum, o.Centered, o.LearningRate = 0.9, true, 0.01
			return o
		}, []string{"m", "mg", "v"}},
		{"SGD", func() Optimizer { return SGD() }, nil},
		{"SGD Nesterov", func() Optimizer {
			o := SGD()
			o.Momentum, o.Nesterov = 0.9, true
			return o
		}, []string{"m"}},
		{"Adam", func() Optimizer { return Adam() }, []string{"m", "v"}},
	}
}

// randomGrads returns gradients for parameters of the given sizes.
func randomGrads(seed uint64, sizes []int) [][]float32 {
	rng := graph.NewRand(seed)
	g := make([][]float32, len(sizes))
	for i, n := range sizes {
		g[i] = make([]float32, n)
		for j := range g[i] {
			g[i][j] = float32(rng.NormFloat64())
		}
	}
	return g
}

func sameBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// TestOptimizerStateRoundTrip moves an optimizer's settings (through
// Config and NewOptimizer) and state (State, SetState) into a new one
// after some steps: the next steps give the same weights, bit for bit.
func TestOptimizerStateRoundTrip(t *testing.T) {
	sizes := []int{5, 3, 40000} // the last one is updated on several goroutines
	for _, tc := range optimizerCases() {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.make()
			if err := a.Init(sizes); err != nil {
				t.Fatal(err)
			}
			w := randomGrads(1, sizes)
			for s := uint64(0); s < 3; s++ {
				a.Update(w, randomGrads(10+s, sizes))
			}
			st := a.State()
			if st.Step != 3 {
				t.Errorf("step %d after 3 updates", st.Step)
			}
			if got := sortedKeys(st.Slots); !reflect.DeepEqual(got, append([]string{}, tc.slots...)) && !(len(got) == 0 && len(tc.slots) == 0) {
				t.Errorf("slots %v, want %v", got, tc.slots)
			}
			b, err := NewOptimizer(a.Name(), a.Config())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Config(), b.Config()) {
				t.Errorf("config %v, rebuilt %v", a.Config(), b.Config())
			}
			if err := b.Init(sizes); err != nil {
				t.Fatal(err)
			}
			if err := b.SetState(st); err != nil {
				t.Fatal(err)
			}
			// The state handed out is a copy: changing it changes nothing.
			for _, s := range st.Slots {
				s[0][0] = 1e6
			}
			wb := clone(w)
			for s := uint64(0); s < 3; s++ {
				g := randomGrads(20+s, sizes)
				a.Update(w, g)
				b.Update(wb, g)
			}
			if !sameBits(w, wb) {
				t.Error("weights differ after the same steps from the copied state")
			}
			sa, sb := a.State(), b.State()
			if sa.Step != 6 || sb.Step != 6 {
				t.Errorf("steps %d and %d, want 6", sa.Step, sb.Step)
			}
			for k := range sa.Slots {
				if !sameBits(sa.Slots[k], sb.Slots[k]) {
					t.Errorf("slot %s differs", k)
				}
			}
		})
	}
}

func TestSetStateErrors(t *testing.T) {
	sizes := []int{2, 3}
	good := func() OptimizerState {
		return OptimizerState{Step: 1, Slots: map[string][][]float32{"m": state(sizes), "v": state(sizes)}}
	}
	tests := []struct {
		name string
		edit func(s *OptimizerState)
		want string
	}{
		{"missing slot", func(s *OptimizerState) { delete(s.Slots, "v") }, `slot "v" is missing`},
		{"unknown slot", func(s *OptimizerState) { s.Slots["mg"] = state(sizes) }, `unknown slot "mg"`},
		{"parameter count", func(s *OptimizerState) { s.Slots["m"] = state([]int{2}) }, `slot "m" has 1 parameters; the model has 2`},
		{"size", func(s *OptimizerState) { s.Slots["v"] = state([]int{2, 4}) }, `slot "v", parameter 1 has 4 values; the parameter has 3`},
		{"negative step", func(s *OptimizerState) { s.Step = -1 }, "step -1 is negative"},
		{"NaN", func(s *OptimizerState) { s.Slots["m"][1][2] = float32(math.NaN()) }, `slot "m", parameter 1 holds NaN at index 2`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Adam()
			if err := o.Init(sizes); err != nil {
				t.Fatal(err)
			}
			o.Update([][]float32{{1, 2}, {3, 4, 5}}, [][]float32{{1, 1}, {1, 1, 1}})
			before := o.State()
			s := good()
			tc.edit(&s)
			err := o.SetState(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if after := o.State(); after.Step != before.Step || !sameBits(after.Slots["m"], before.Slots["m"]) || !sameBits(after.Slots["v"], before.Slots["v"]) {
				t.Error("a refused state changed the optimizer")
			}
		})
	}
	if err := Adam().SetState(good()); err == nil || !strings.Contains(err.Error(), "before Init") {
		t.Errorf("SetState before Init: %v", err)
	}
	// SGD without momentum has no slot: a state with one does not fit.
	o := SGD()
	_ = o.Init(sizes)
	if err := o.SetState(OptimizerState{Slots: map[string][][]float32{"m": state(sizes)}}); err == nil || !strings.Contains(err.Error(), `unknown slot "m"`) {
		t.Errorf("SGD without momentum given a momentum slot: %v", err)
	}
}

func TestNewOptimizer(t *testing.T) {
	for _, o := range []Optimizer{RMSprop(), SGD(), Adam()} {
		got, err := NewOptimizer(strings.ToUpper(o.Name()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name() != o.Name() || !reflect.DeepEqual(got.Config(), o.Config()) {
			t.Errorf("%s with no settings: %v, want Keras's defaults %v", o.Name(), got.Config(), o.Config())
		}
	}
	o, err := NewOptimizer("rmsprop", map[string]float64{"learning_rate": 0.01, "momentum": 0.5, "centered": 1})
	if err != nil {
		t.Fatal(err)
	}
	r := o.(*RMSpropOptimizer)
	if r.LearningRate != 0.01 || r.Momentum != 0.5 || !r.Centered || r.Rho != 0.9 {
		t.Errorf("configured RMSprop: %+v", r)
	}
	tests := []struct {
		name   string
		config map[string]float64
		want   string
	}{
		{"adagrad", nil, `optimizer "adagrad": unknown`},
		{"adam", map[string]float64{"beta1": 0.9}, `unknown setting "beta1"; want one of beta_1, beta_2, epsilon, learning_rate`},
		{"sgd", map[string]float64{"nesterov": 0.5}, `setting "nesterov": got 0.5; want 0 (false) or 1 (true)`},
		{"sgd", map[string]float64{"nesterov": 1}, "Nesterov needs a momentum"},
		{"rmsprop", map[string]float64{"learning_rate": -1}, "learning rate must be positive"},
		{"rmsprop", map[string]float64{"rho": math.NaN()}, `setting "rho": NaN`},
		{"adam", map[string]float64{"learning_rate": 1e300}, "learning rate must be positive, got +Inf"},
	}
	for _, tc := range tests {
		if _, err := NewOptimizer(tc.name, tc.config); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewOptimizer(%q, %v): %v, want an error containing %q", tc.name, tc.config, err, tc.want)
		}
	}
}

// learningRate returns an optimizer's current learning rate, as its
// Config reports it.
func learningRate(o Optimizer) float32 { return float32(o.Config()["learning_rate"]) }

func TestLearningRate(t *testing.T) {
	for _, o := range []Optimizer{RMSprop(), SGD(), Adam()} {
		if err := o.SetLearningRate(0.5); err != nil || learningRate(o) != 0.5 || o.Config()["learning_rate"] != 0.5 {
			t.Errorf("%s: SetLearningRate(0.5): %v, rate %v", o.Name(), err, learningRate(o))
		}
		for _, bad := range []float32{0, -1, float32(math.NaN()), float32(math.Inf(1))} {
			if err := o.SetLearningRate(bad); err == nil || learningRate(o) != 0.5 {
				t.Errorf("%s: SetLearningRate(%v): %v, rate now %v", o.Name(), bad, err, learningRate(o))
			}
		}
	}
}

func TestNamed(t *testing.T) {
	for _, name := range []string{"categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mean_squared_error"} {
		l, err := LossNamed(name)
		if err != nil || l.Name() != name {
			t.Errorf("LossNamed(%q): %v, %v", name, l, err)
		}
	}
	if l, err := LossNamed("mse"); err != nil || l.Name() != "mean_squared_error" {
		t.Errorf("LossNamed(mse): %v, %v", l, err)
	}
	if _, err := LossNamed("hinge"); err == nil || !strings.Contains(err.Error(), `"hinge"`) {
		t.Errorf("LossNamed(hinge): %v", err)
	}
	for _, name := range []string{"accuracy", "binary_accuracy"} {
		if m, err := MetricNamed(name); err != nil || m.Name() != name {
			t.Errorf("MetricNamed(%s): %v, %v", name, m, err)
		}
	}
	if _, err := MetricNamed("auc"); err == nil || !strings.Contains(err.Error(), `"auc"`) {
		t.Errorf("MetricNamed(auc): %v", err)
	}
}
