package train

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
)

// An Optimizer updates parameters in place from their gradients.
//
// Besides updating, an optimizer describes itself as Keras does, so that
// a model can be saved and training resumed exactly: Config gives its
// settings under Keras's names (NewOptimizer takes them back), State its
// step count and per-parameter slots, SetState puts them back.
type Optimizer interface {
	// Name is the optimizer's Keras name, e.g. "rmsprop".
	Name() string
	// Init checks the settings and sets up zeroed state for parameters
	// of the given sizes; it is called once, by Compile.
	Init(sizes []int) error
	// Update applies one step: params[i] -= f(grads[i]) in place.
	Update(params, grads [][]float32)
	// Config returns the settings under Keras's names: "learning_rate",
	// and "rho", "momentum", "epsilon", "centered" (RMSprop), "momentum",
	// "nesterov" (SGD), "beta_1", "beta_2", "epsilon" (Adam); booleans
	// are 0 or 1. NewOptimizer(Name(), Config()) makes an optimizer with
	// the same settings, bit for bit.
	Config() map[string]float64
	// State returns a deep copy of the state after the last Update: the
	// number of updates applied and the slots. Before Init the slots are
	// empty.
	State() OptimizerState
	// SetState replaces the state with a copy of s, so that the next
	// Update continues from it. It is an error, changing nothing, to call
	// it before Init, or with a slot missing or unknown, a slot with a
	// count or size of slices other than Init's, a negative step or a
	// value that is NaN or infinite; the error names what does not fit.
	SetState(s OptimizerState) error
	// SetLearningRate changes the learning rate, as schedules do between
	// epochs; it must be positive and finite, or it is an error and the
	// rate is left as it was.
	SetLearningRate(lr float32) error
}

// OptimizerState is what an optimizer has learned: enough, with the
// weights, to resume training exactly.
type OptimizerState struct {
	// Step is the number of updates applied so far (Adam's t; counted by
	// every optimizer).
	Step int64
	// Slots maps a slot's Keras-like name to one slice per parameter, in
	// the order of the sizes given to Init (the network's Params order):
	// RMSprop "v" (the mean square), plus "m" with momentum and "mg"
	// (the mean gradient) when centered; SGD "m" with momentum (no slot
	// without); Adam "m" and "v".
	Slots map[string][][]float32
}

// NewOptimizer returns the optimizer registered as name, in any case:
// "rmsprop", "sgd" and "adam" are built in, with the settings in config
// under the names their Config uses (missing settings take Keras's
// defaults); RegisterOptimizer adds others. An unknown name or setting, a
// boolean other than 0 or 1, or a value the optimizer rejects (a learning
// rate that is not positive, a rho outside [0, 1), …) is an error naming
// it.
func NewOptimizer(name string, config map[string]float64) (Optimizer, error) {
	registry.RLock()
	make, ok := registry.optimizers[strings.ToLower(name)]
	known := sortedKeys(registry.optimizers)
	registry.RUnlock()
	if !ok {
		return nil, errors.Errorf("optimizer %q: unknown; want one of %s (or register it with RegisterOptimizer)", name, strings.Join(known, ", "))
	}
	opt, err := make(config)
	if err != nil {
		return nil, errors.Wrapf(err, "optimizer %s", name)
	}
	if opt == nil {
		return nil, errors.Errorf("optimizer %s: its constructor returned nil", name)
	}
	return opt, nil
}

// RegisterOptimizer makes NewOptimizer(name, config) call fromConfig, so
// that a model compiled with an optimizer of one's own can be saved and
// loaded: Save records the optimizer's Name and Config, and Load calls
// NewOptimizer with them. fromConfig must give, from an optimizer's
// Config(), an optimizer with the same settings. Names are matched in
// any case. It is an error to register an empty name, a nil function,
// or a name already registered (the built-in ones included).
func RegisterOptimizer(name string, fromConfig func(config map[string]float64) (Optimizer, error)) error {
	key := strings.ToLower(name)
	switch {
	case key == "":
		return errors.New("RegisterOptimizer: empty name")
	case fromConfig == nil:
		return errors.Errorf("RegisterOptimizer %q: nil function", name)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.optimizers[key]; dup {
		return errors.Errorf("RegisterOptimizer: an optimizer named %q is registered already", key)
	}
	registry.optimizers[key] = fromConfig
	return nil
}

// registry holds the optimizers NewOptimizer can make.
var registry = struct {
	sync.RWMutex
	optimizers map[string]func(map[string]float64) (Optimizer, error)
}{optimizers: map[string]func(map[string]float64) (Optimizer, error){
	"rmsprop": func(config map[string]float64) (Optimizer, error) {
		o := RMSprop()
		return configure(o, config, map[string]setter{
			"learning_rate": float(&o.LearningRate), "rho": float(&o.Rho), "momentum": float(&o.Momentum),
			"epsilon": float(&o.Epsilon), "centered": boolean(&o.Centered)})
	},
	"sgd": func(config map[string]float64) (Optimizer, error) {
		o := SGD()
		return configure(o, config, map[string]setter{
			"learning_rate": float(&o.LearningRate), "momentum": float(&o.Momentum), "nesterov": boolean(&o.Nesterov)})
	},
	"adam": func(config map[string]float64) (Optimizer, error) {
		o := Adam()
		return configure(o, config, map[string]setter{
			"learning_rate": float(&o.LearningRate), "beta_1": float64Setting(&o.Beta1), "beta_2": float64Setting(&o.Beta2),
			"epsilon": float(&o.Epsilon)})
	},
}}

// configure sets opt's settings from config through keys, and checks
// them.
func configure(opt Optimizer, config map[string]float64, keys map[string]setter) (Optimizer, error) {
	for _, k := range sortedKeys(config) { // the first bad key named is always the same one
		set, ok := keys[k]
		if !ok {
			return nil, errors.Errorf("unknown setting %q; want one of %s", k, strings.Join(sortedKeys(keys), ", "))
		}
		if err := set(config[k]); err != nil {
			return nil, errors.Wrapf(err, "setting %q", k)
		}
	}
	if err := opt.(checker).check(); err != nil {
		return nil, err
	}
	return opt, nil
}

// checker is what the optimizers here share: their settings' check.
type checker interface{ check() error }

// setter stores a configuration value in an optimizer's field.
type setter func(v float64) error

func float(f *float32) setter {
	return func(v float64) error {
		if math.IsNaN(v) {
			return errors.New("NaN is not a setting")
		}
		*f = float32(v)
		return nil
	}
}

// float64Setting sets a float64 setting.
func float64Setting(f *float64) setter {
	return func(v float64) error {
		if math.IsNaN(v) {
			return errors.New("NaN is not a setting")
		}
		*f = v
		return nil
	}
}

func boolean(b *bool) setter {
	return func(v float64) error {
		if v != 0 && v != 1 {
			return errors.Errorf("got %v; want 0 (false) or 1 (true)", v)
		}
		*b = v == 1
		return nil
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// state returns one zeroed slice per parameter size.
func state(sizes []int) [][]float32 {
	s := make([][]float32, len(sizes))
	for i, n := range sizes {
		s[i] = make([]float32, n)
	}
	return s
}

// clone returns a deep copy of s.
func clone(s [][]float32) [][]float32 {
	c := make([][]float32, len(s))
	for i, v := range s {
		c[i] = append([]float32(nil), v...)
	}
	return c
}

// slots is an optimizer's state slices by slot name.
type slots map[string][][]float32

// snapshot returns the state, deep-copied.
func snapshot(step int64, s slots) OptimizerState {
	st := OptimizerState{Step: step, Slots: map[string][][]float32{}}
	for k, v := range s {
		st.Slots[k] = clone(v)
	}
	return st
}

// restore checks st against the slots an optimizer has (each already of
// Init's sizes) and, if all fit, copies st's values into them. It changes
// nothing on error.
func restore(name string, have slots, st OptimizerState) error {
	if have == nil {
		return errors.Errorf("%s: SetState before Init: compile the model first", name)
	}
	if st.Step < 0 {
		return errors.Errorf("%s: SetState: step %d is negative", name, st.Step)
	}
	for _, k := range sortedKeys(st.Slots) {
		if _, ok := have[k]; !ok {
			return errors.Errorf("%s: SetState: unknown slot %q; this optimizer, so configured, has %s", name, k, quoted(sortedKeys(have)))
		}
	}
	for _, k := range sortedKeys(have) {
		want, got := have[k], st.Slots[k]
		if got == nil {
			return errors.Errorf("%s: SetState: slot %q is missing", name, k)
		}
		if len(got) != len(want) {
			return errors.Errorf("%s: SetState: slot %q has %d parameters; the model has %d", name, k, len(got), len(want))
		}
		for i := range want {
			if len(got[i]) != len(want[i]) {
				return errors.Errorf("%s: SetState: slot %q, parameter %d has %d values; the parameter has %d", name, k, i, len(got[i]), len(want[i]))
			}
			for j, v := range got[i] {
				if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
					return errors.Errorf("%s: SetState: slot %q, parameter %d holds %v at index %d", name, k, i, v, j)
				}
			}
		}
	}
	for k, want := range have {
		for i := range want {
			copy(want[i], st.Slots[k][i])
		}
	}
	return nil
}

func quoted(ks []string) string {
	if len(ks) == 0 {
		return "no slots"
	}
	q := make([]string, len(ks))
	for i, k := range ks {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, ", ")
}

// checkRate returns an error unless lr is a positive finite number.
func checkRate(name string, lr float32) error {
	if !(lr > 0) || lr != lr || lr > 1e30 {
		return errors.Errorf("%s: learning rate must be positive, got %v", name, lr)
	}
	return nil
}

// checkUnit returns an error unless 0 ≤ v < 1.
func checkUnit[T float32 | float64](name, what string, v T) error {
	if !(v >= 0 && v < 1) {
		return errors.Errorf("%s: %s must be in [0, 1), got %v", name, what, v)
	}
	return nil
}

// updateGrain is the fewest weights one goroutine updates: below twice
// this a parameter is updated on the calling goroutine alone.
const updateGrain = 1 << 14

// each calls f(i, lo, hi) for ranges [lo, hi) that together cover every
// parameter i once, spread over the cores. Updates are element-wise, so
// the result does not depend on how the ranges fall.
func each(params [][]float32, f func(i, lo, hi int)) {
	for i, w := range params {
		par.For(len(w), updateGrain, func(lo, hi int) { f(i, lo, hi) })
	}
}
