package train

import (
	"strings"
	"sync"
	"testing"

	"github.com/pkg/errors"
)

// signSGD is an optimizer of one's own: w ← w − lr·sign(g).
type signSGD struct {
	lr   float32
	step int64
}

func (o *signSGD) Name() string           { return "sign_sgd" }
func (o *signSGD) Init(sizes []int) error { o.step = 0; return nil }
func (o *signSGD) Update(params, grads [][]float32) {
	o.step++
	for i, w := range params {
		for j, g := range grads[i] {
			switch {
			case g > 0:
				w[j] -= o.lr
			case g < 0:
				w[j] += o.lr
			}
		}
	}
}
func (o *signSGD) Config() map[string]float64 {
	return map[string]float64{"learning_rate": float64(o.lr)}
}
func (o *signSGD) State() OptimizerState {
	return OptimizerState{Step: o.step, Slots: map[string][][]float32{}}
}
func (o *signSGD) SetState(s OptimizerState) error {
	if len(s.Slots) != 0 {
		return errors.New("sign_sgd has no slots")
	}
	o.step = s.Step
	return nil
}
func (o *signSGD) SetLearningRate(lr float32) error { o.lr = lr; return nil }

func newSignSGD(config map[string]float64) (Optimizer, error) {
	o := &signSGD{lr: 0.01}
	for k, v := range config {
		if k != "learning_rate" {
			return nil, errors.Errorf("unknown setting %q", k)
		}
		o.lr = float32(v)
	}
	return o, nil
}

// registerSignSGD registers signSGD once per test binary (go test
// -count 2 runs the test twice).
var registerSignSGD = sync.OnceValue(func() error { return RegisterOptimizer("Sign_SGD", newSignSGD) })

func TestRegisterOptimizer(t *testing.T) {
	if err := registerSignSGD(); err != nil {
		t.Fatal(err)
	}
	o, err := NewOptimizer("sign_sgd", map[string]float64{"learning_rate": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := o.(*signSGD); !ok || s.lr != 0.5 {
		t.Errorf("NewOptimizer gave %#v, want a signSGD with rate 0.5", o)
	}
	x, y, _ := blobs(30, 4, 1)
	tr, err := Compile(newSoftmaxRegression(4, 3, 1), o, CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	before := append([]float32(nil), tr.Params()[1].Value.Float32s()...)
	if _, err := tr.Fit(x, y, Epochs(1), BatchSize(30), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for j, b := range tr.Params()[1].Value.Float32s() {
		if d := b - before[j]; d != 0.5 && d != -0.5 && d != 0 {
			t.Errorf("bias %d moved by %v; one sign step moves it by 0 or ±0.5", j, d)
		}
	}
	for _, c := range []struct {
		name string
		f    func(map[string]float64) (Optimizer, error)
		want string
	}{
		{"SIGN_SGD", newSignSGD, `"sign_sgd" is registered already`},
		{"adam", newSignSGD, `"adam" is registered already`},
		{"", newSignSGD, "empty name"},
		{"other", nil, "nil function"},
	} {
		if err := RegisterOptimizer(c.name, c.f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RegisterOptimizer(%q): %v, want an error saying %q", c.name, err, c.want)
		}
	}
	if _, err := NewOptimizer("sign_sgd", map[string]float64{"rho": 1}); err == nil || !strings.Contains(err.Error(), `unknown setting "rho"`) {
		t.Errorf("a bad setting: %v", err)
	}
	if _, err := NewOptimizer("nadam", nil); err == nil || !strings.Contains(err.Error(), "adam, rmsprop, sgd, sign_sgd") {
		t.Errorf("an unknown optimizer: %v, want the list of known ones", err)
	}
}
