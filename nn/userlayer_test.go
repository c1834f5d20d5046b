package nn_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// userScale is a layer written outside nn, as a user writes one: y =
// x·alpha feature by feature, alpha a trained vector that starts at
// Initial.
type userScale struct {
	nn.LayerBase
	Initial float64
}

func newUserScale(initial float64, opts ...nn.Option) *userScale {
	return &userScale{LayerBase: nn.NewLayerBase(opts...), Initial: initial}
}

func (l *userScale) Kind() string { return "UserScale" }

func (l *userScale) Plan(in [][]int) (nn.Plan, error) {
	if len(in) != 1 || len(in[0]) != 1 {
		return nn.Plan{}, errors.New("a UserScale layer takes one input of vectors")
	}
	initial := float32(l.Initial)
	fill := func(_ *rand.Rand, _ []int, v []float32) error {
		for i := range v {
			v[i] = initial
		}
		return nil
	}
	return nn.Plan{Output: slices.Clone(in[0]), Weights: []nn.WeightSpec{
		{Name: "alpha", Shape: slices.Clone(in[0]), Init: fill, Trainable: true},
	}}, nil
}

func (l *userScale) Forward(in, w []*G.Node, _ train.Mode) (*G.Node, error) {
	alpha, err := G.Reshape(w[0], tensor.Shape{1, w[0].Shape()[0]})
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(in[0], alpha, nil, []byte{0})
}

func (l *userScale) Config() map[string]any { return map[string]any{"initial": l.Initial} }

// userScaleFromConfig is the constructor Load calls.
func userScaleFromConfig(config json.RawMessage) (nn.Layer, error) {
	var c struct {
		Initial *float64 `json:"initial"`
	}
	if err := nn.DecodeConfig(config, &c); err != nil {
		return nil, err
	}
	if c.Initial == nil {
		return nil, errors.New("config.initial is missing")
	}
	return newUserScale(*c.Initial), nil
}

// liarScale registers a constructor that makes a layer of another kind.
type liarScale struct{ userScale }

func (l *liarScale) Kind() string { return "UserLiar" }

// unregisteredScale is a userScale of a kind never registered.
type unregisteredScale struct{ userScale }

func (l *unregisteredScale) Kind() string { return "UserUnregistered" }

// nilScale's registered constructor returns a nil *nilScale as a Layer,
// a constructor's mistake Load must report, not panic on.
type nilScale struct{ userScale }

func (l *nilScale) Kind() string { return "UserNil" }

// ulMomentum is an optimizer written outside train: SGD with momentum,
// m ← momentum·m − lr·g, w ← w + m.
type ulMomentum struct {
	lr, momentum float32
	step         int64
	m            [][]float32
}

func (o *ulMomentum) Name() string { return "ul_momentum" }

func (o *ulMomentum) Init(sizes []int) error {
	if !(o.lr > 0) || !(o.momentum >= 0 && o.momentum < 1) {
		return errors.New("ul_momentum: bad settings")
	}
	o.step, o.m = 0, make([][]float32, len(sizes))
	for i, n := range sizes {
		o.m[i] = make([]float32, n)
	}
	return nil
}

func (o *ulMomentum) Update(params, grads [][]float32) {
	for i, w := range params {
		for j := range w {
			o.m[i][j] = o.momentum*o.m[i][j] - o.lr*grads[i][j]
			w[j] += o.m[i][j]
		}
	}
	o.step++
}

func (o *ulMomentum) Config() map[string]float64 {
	return map[string]float64{"learning_rate": float64(o.lr), "momentum": float64(o.momentum)}
}

func (o *ulMomentum) State() train.OptimizerState {
	m := make([][]float32, len(o.m))
	for i, v := range o.m {
		m[i] = slices.Clone(v)
	}
	return train.OptimizerState{Step: o.step, Slots: map[string][][]float32{"m": m}}
}

func (o *ulMomentum) SetState(s train.OptimizerState) error {
	m := s.Slots["m"]
	if o.m == nil || len(s.Slots) != 1 || len(m) != len(o.m) || s.Step < 0 {
		return errors.New("ul_momentum: state does not fit")
	}
	for i := range m {
		if len(m[i]) != len(o.m[i]) {
			return errors.New("ul_momentum: state does not fit")
		}
	}
	for i := range m {
		copy(o.m[i], m[i])
	}
	o.step = s.Step
	return nil
}

func (o *ulMomentum) SetLearningRate(lr float32) error {
	if !(lr > 0) {
		return errors.New("ul_momentum: learning rate must be positive")
	}
	o.lr = lr
	return nil
}

func ulMomentumFromConfig(config map[string]float64) (train.Optimizer, error) {
	o := &ulMomentum{lr: 0.01}
	for k, v := range config {
		switch k {
		case "learning_rate":
			o.lr = float32(v)
		case "momentum":
			o.momentum = float32(v)
		default:
			return nil, errors.New("ul_momentum: unknown setting " + k)
		}
	}
	return o, nil
}

// ulUnnamed is ulMomentum under a name never registered.
type ulUnnamed struct{ *ulMomentum }

func (ulUnnamed) Name() string { return "ul_unregistered" }

func init() {
	for kind, from := range map[string]func(json.RawMessage) (nn.Layer, error){
		"UserScale": userScaleFromConfig,
		"UserLiar":  userScaleFromConfig, // makes a UserScale: Load refuses it
		"UserNil": func(json.RawMessage) (nn.Layer, error) {
			var l *nilScale
			return l, nil // a typed nil: calling Base on it panics
		},
	} {
		if err := nn.RegisterLayer(kind, from); err != nil {
			panic(err)
		}
	}
	if err := train.RegisterOptimizer("ul_momentum", ulMomentumFromConfig); err != nil {
		panic(err)
	}
}

// ulData returns n samples of 3 features in 3 classes (the class is the
// argmax of the features), y one-hot.
func ulData(n int) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewPCG(5, 6))
	xd, yd := make([]float32, n*3), make([]float32, n*3)
	for i := range n {
		best := 0
		for j := range 3 {
			xd[i*3+j] = float32(rng.Float64()*2 - 1)
			if xd[i*3+j] > xd[i*3+best] {
				best = j
			}
		}
		yd[i*3+best] = 1
	}
	return tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(xd)), tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(yd))
}

// ulWeights returns a copy of every weight of m, in order, by name.
func ulWeights(m *nn.Model) (names []string, values [][]float32) {
	for _, l := range m.Layers() {
		for _, p := range l.Params() {
			names = append(names, p.Name)
			values = append(values, slices.Clone(p.Value.Data().([]float32)))
		}
	}
	return names, values
}

// ulSameWeights fails the test unless a and b have the same weights, by
// name, bit for bit.
func ulSameWeights(t *testing.T, a, b *nn.Model) {
	t.Helper()
	na, va := ulWeights(a)
	nb, vb := ulWeights(b)
	if !slices.Equal(na, nb) {
		t.Fatalf("weights %v, want %v", nb, na)
	}
	for i := range va {
		for j := range va[i] {
			if math.Float32bits(va[i][j]) != math.Float32bits(vb[i][j]) {
				t.Fatalf("%s[%d] = %v, want %v", na[i], j, vb[i][j], va[i][j])
			}
		}
	}
}

// ulSamePredictions fails the test unless a and b predict x bit for bit
// alike.
func ulSamePredictions(t *testing.T, a, b *nn.Model, x *tensor.Dense) {
	t.Helper()
	pa, err := a.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range pa.Data().([]float32) {
		if w := pb.Data().([]float32)[i]; math.Float32bits(v) != math.Float32bits(w) {
			t.Fatalf("prediction %d: %v, want %v", i, w, v)
		}
	}
}

// ulReloaded saves m in a temporary directory and loads it back.
func ulReloaded(t *testing.T, m *nn.Model) *nn.Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := nn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// ulSequential is Dense → UserScale → Dense(softmax).
func ulSequential(scale *userScale) *nn.Sequential {
	return nn.NewSequential(nn.Dense(4, nn.Tanh, nn.InputShape(3)), scale, nn.Dense(3, nn.Softmax))
}

// ulFunctional calls one UserScale twice: Dense → scale → Dense → scale
// → Dense(softmax).
func ulFunctional(t *testing.T, scale *userScale) *nn.Model {
	t.Helper()
	x := nn.Input(3)
	h := nn.Call(scale, nn.Dense(4, nn.Tanh).Call(x))
	h = nn.Call(scale, nn.Dense(4, nn.Tanh).Call(h))
	m, err := nn.NewModel([]*nn.Tensor{x}, []*nn.Tensor{nn.Dense(3, nn.Softmax).Call(h)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestUserLayer builds models with a layer written outside nn, trains
// them, checks the layer's weight is trained, and that Save and Load give
// back a *userScale of the same settings, name and trainable flag, the
// same weights and predictions bit for bit, and the same Summary.
func TestUserLayer(t *testing.T) {
	x, y := ulData(24)
	for _, tc := range []struct {
		name   string
		model  func(*userScale) *nn.Model
		frozen bool
	}{
		{"sequential", ulSequential, false},
		{"sequential frozen", ulSequential, true},
		{"functional shared", func(s *userScale) *nn.Model { return ulFunctional(t, s) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scale := newUserScale(0.5, nn.Name("scale"))
			scale.SetTrainable(!tc.frozen)
			m := tc.model(scale)
			if err := m.Build(1); err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Fit(x, y, train.Epochs(2), train.BatchSize(8), train.Seed(2), train.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			alpha := scale.Params()[0]
			if alpha.Name != "scale/alpha" || alpha.Trainable == tc.frozen {
				t.Errorf("param %s trainable %v", alpha.Name, alpha.Trainable)
			}
			moved := slices.ContainsFunc(alpha.Value.Data().([]float32), func(v float32) bool { return v != 0.5 })
			if moved == tc.frozen {
				t.Errorf("frozen %v: alpha %v after Fit", tc.frozen, alpha.Value.Data())
			}
			got := ulReloaded(t, m)
			l, ok := got.Layer("scale").(*userScale)
			if !ok {
				t.Fatalf("loaded layer scale is %T, want *userScale", got.Layer("scale"))
			}
			if l.Initial != 0.5 || l.Trainable() == tc.frozen || l.Kind() != "UserScale" {
				t.Errorf("loaded layer: initial %v, trainable %v", l.Initial, l.Trainable())
			}
			ulSameWeights(t, m, got)
			ulSamePredictions(t, m, got, x)
			if got.Summary() != m.Summary() {
				t.Errorf("loaded summary\n%s\nwant\n%s", got.Summary(), m.Summary())
			}
			// Training goes on alike.
			for _, mm := range []*nn.Model{m, got} {
				if _, err := mm.Fit(x, y, train.InitialEpoch(2), train.Epochs(3), train.BatchSize(8), train.Seed(2), train.Verbose(0)); err != nil {
					t.Fatal(err)
				}
			}
			ulSameWeights(t, m, got)
		})
	}
}

// TestUserLayerSummary checks that Summary shows a user layer under its
// default name (snake case of its Kind) and counts its weights, as not
// trainable when it is frozen.
func TestUserLayerSummary(t *testing.T) {
	want := `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 4)                 16        
_________________________________________________________________
user_scale (UserScale)       (None, 4)                 4         
_________________________________________________________________
dense_1 (Dense)              (None, 3)                 15        
=================================================================
Total params: 35
Trainable params: 35
Non-trainable params: 0
_________________________________________________________________
`
	if got := ulSequential(newUserScale(1)).Summary(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	frozen := newUserScale(1)
	frozen.SetTrainable(false)
	if got := ulSequential(frozen).Summary(); !strings.Contains(got, "Trainable params: 31\nNon-trainable params: 4\n") {
		t.Errorf("frozen:\n%s", got)
	}
	s := ulFunctional(t, newUserScale(1)).Summary()
	for _, w := range []string{"user_scale (UserScale)          (None, 4)            4           dense[0][0]", "dense_1[0][0]", "Total params: 55\n"} {
		if !strings.Contains(s, w) {
			t.Errorf("functional summary lacks %q:\n%s", w, s)
		}
	}
}

// TestUserLayerSaveErrors: a model with a layer whose kind is not
// registered does not save (an error naming the layer and the kind, and
// no file), though its weights do; a kind whose constructor makes a layer
// of another kind does not load.
func TestUserLayerSaveErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.npz")
	m := nn.NewSequential(nn.Dense(4, nn.Tanh, nn.InputShape(3)), &unregisteredScale{*newUserScale(2)}, nn.Dense(3, nn.Softmax))
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	err := m.Save(path)
	if err == nil || !strings.Contains(err.Error(), "UserUnregistered") || !strings.Contains(err.Error(), "user_unregistered") ||
		!strings.Contains(err.Error(), "RegisterLayer") || !strings.Contains(err.Error(), path) {
		t.Errorf("saving a layer of an unregistered kind: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed Save left %s: %v", path, err)
	}
	if err := m.SaveWeights(path); err != nil {
		t.Errorf("SaveWeights: %v", err)
	}

	liar := nn.NewSequential(nn.Dense(4, nn.Tanh, nn.InputShape(3)), &liarScale{*newUserScale(2)}, nn.Dense(3, nn.Softmax))
	if err := liar.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := liar.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := nn.Load(path); err == nil || !strings.Contains(err.Error(), "made no UserLiar layer") {
		t.Errorf("loading a kind whose constructor makes another: %v", err)
	}

	nilLayer := nn.NewSequential(nn.Dense(4, nn.Tanh, nn.InputShape(3)), &nilScale{*newUserScale(2)}, nn.Dense(3, nn.Softmax))
	if err := nilLayer.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := nilLayer.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := nn.Load(path); err == nil || !strings.Contains(err.Error(), "constructor registered for UserNil failed") {
		t.Errorf("loading a kind whose constructor returns a nil pointer: %v", err)
	}
}

// TestRegisterLayerErrors: an empty kind, a nil constructor and a kind
// registered already (a user's or a built-in one) are errors.
func TestRegisterLayerErrors(t *testing.T) {
	for _, tc := range []struct {
		kind string
		from func(json.RawMessage) (nn.Layer, error)
		want string
	}{
		{"", userScaleFromConfig, "empty kind"},
		{"UserNil", nil, `"UserNil": nil function`},
		{"UserScale", userScaleFromConfig, `"UserScale" is registered already`},
		{"Dense", userScaleFromConfig, `"Dense" is registered already`},
		{"BatchNormalization", userScaleFromConfig, `"BatchNormalization" is registered already`},
	} {
		if err := nn.RegisterLayer(tc.kind, tc.from); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RegisterLayer(%q): %v, want an error containing %q", tc.kind, err, tc.want)
		}
	}
	// The failed registrations changed nothing: UserScale still loads.
	m := ulSequential(newUserScale(0.25))
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if l, ok := ulReloaded(t, m).Layers()[1].(*userScale); !ok || l.Initial != 0.25 {
		t.Errorf("loaded %#v", l)
	}
}

// TestDecodeConfig: DecodeConfig decodes strictly, naming an unknown
// setting; an empty config is {}.
func TestDecodeConfig(t *testing.T) {
	var c struct {
		Initial *float64 `json:"initial"`
	}
	if err := nn.DecodeConfig(json.RawMessage(`{"initial": 2}`), &c); err != nil || c.Initial == nil || *c.Initial != 2 {
		t.Errorf("decoding: %v, %v", err, c.Initial)
	}
	c.Initial = nil
	if err := nn.DecodeConfig(nil, &c); err != nil || c.Initial != nil {
		t.Errorf("empty config: %v, %v", err, c.Initial)
	}
	for raw, want := range map[string]string{
		`{"initial": 2, "scale": 3}`: "config.scale: no such setting",
		`{"initial": 2} {}`:          "config: data after the object",
		`{"initial": "x"}`:           "config",
		`[1]`:                        "config",
	} {
		if err := nn.DecodeConfig(json.RawMessage(raw), &c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodeConfig(%s): %v, want an error containing %q", raw, err, want)
		}
	}
	if _, err := userScaleFromConfig(json.RawMessage(`{}`)); err == nil || !strings.Contains(err.Error(), "config.initial is missing") {
		t.Errorf("missing setting: %v", err)
	}
}

// TestUserOptimizerResume compiles a model (with a user layer) with an
// optimizer written outside train and registered with
// train.RegisterOptimizer, trains 2 epochs, saves, loads and resumes for
// 2 more: History, weights and optimizer state are those of 4 epochs in
// one go, bit for bit. An optimizer whose name is not registered does not
// save.
func TestUserOptimizerResume(t *testing.T) {
	x, y := ulData(30)
	xv, yv := ulData(9)
	opts := []train.Option{train.BatchSize(7), train.Seed(8), train.Verbose(0), train.ValidationData(xv, yv)}
	compile := func(opt train.Optimizer) *nn.Model {
		m := ulSequential(newUserScale(0.8))
		if err := m.Build(3); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(opt, train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	one := compile(&ulMomentum{lr: 0.05, momentum: 0.8})
	h, err := one.Fit(x, y, append(opts, train.Epochs(4))...)
	if err != nil {
		t.Fatal(err)
	}
	first := compile(&ulMomentum{lr: 0.05, momentum: 0.8})
	h1, err := first.Fit(x, y, append(opts, train.Epochs(2))...)
	if err != nil {
		t.Fatal(err)
	}
	resumed := ulReloaded(t, first)
	opt, ok := resumed.Trainer().Optimizer().(*ulMomentum)
	if !ok || opt.lr != 0.05 || opt.momentum != 0.8 || opt.step != 2*5 {
		t.Fatalf("loaded optimizer %#v", resumed.Trainer().Optimizer())
	}
	h2, err := resumed.Fit(x, y, append(opts, train.InitialEpoch(resumed.Epoch()), train.Epochs(4))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range h.Names {
		got := append(slices.Clone(h1.Values[name]), h2.Values[name]...)
		if !reflect.DeepEqual(got, h.Values[name]) {
			t.Errorf("%s: %v resumed, %v in one go", name, got, h.Values[name])
		}
	}
	ulSameWeights(t, one, resumed)
	if a, b := one.Trainer().Optimizer().State(), resumed.Trainer().Optimizer().State(); !reflect.DeepEqual(a, b) {
		t.Errorf("optimizer state %v resumed, %v in one go", b, a)
	}
	if resumed.Epoch() != 4 {
		t.Errorf("epoch %d, want 4", resumed.Epoch())
	}

	path := filepath.Join(t.TempDir(), "m.npz")
	if err := compile(ulUnnamed{&ulMomentum{lr: 0.05}}).Save(path); err == nil || !strings.Contains(err.Error(), "ul_unregistered") {
		t.Errorf("saving with an unregistered optimizer: %v", err)
	}
	if err := train.RegisterOptimizer("UL_Momentum", ulMomentumFromConfig); err == nil {
		t.Error("registering ul_momentum again, in another case: no error")
	}
}
