package train

import (
	"github.com/chewxy/math32"
	"github.com/pkg/errors"
)

// RMSpropOptimizer is Keras 3's RMSprop. For a weight w with gradient g:
//
//	v ← ρ·v + (1−ρ)·g²
//	inc ← lr·g / √(v + ε)          (ε inside the root, as in Keras)
//	w ← w − inc                    (momentum 0), or
//	m ← momentum·m + inc; w ← w − m
//
// Centered, √(v − ḡ² + ε) replaces √(v + ε), with ḡ ← ρ·ḡ + (1−ρ)·g.
// Set the fields before Compile; afterwards change the rate with
// SetLearningRate.
type RMSpropOptimizer struct {
	LearningRate, Rho, Momentum, Epsilon float32
	Centered                             bool

	step     int64
	v, m, mg [][]float32
}

// RMSprop returns RMSprop with Keras's defaults: learning rate 0.001,
// rho 0.9, momentum 0, epsilon 1e-7, not centered.
func RMSprop() *RMSpropOptimizer {
	return &RMSpropOptimizer{LearningRate: 0.001, Rho: 0.9, Epsilon: 1e-7}
}

// Name returns "rmsprop".
func (o *RMSpropOptimizer) Name() string { return "rmsprop" }

// check returns an error naming the first setting out of range.
func (o *RMSpropOptimizer) check() error {
	if err := checkRate("RMSprop", o.LearningRate); err != nil {
		return err
	}
	if err := checkUnit("RMSprop", "rho", o.Rho); err != nil {
		return err
	}
	if err := checkUnit("RMSprop", "momentum", o.Momentum); err != nil {
		return err
	}
	if !(o.Epsilon >= 0) || math32.IsInf(o.Epsilon, 1) {
		return errors.Errorf("RMSprop: epsilon must be finite and ≥ 0, got %v", o.Epsilon)
	}
	return nil
}

// Init checks the settings and zeroes the state and the step count.
func (o *RMSpropOptimizer) Init(sizes []int) error {
	if err := o.check(); err != nil {
		return err
	}
	o.step, o.v, o.m, o.mg = 0, state(sizes), state(sizes), state(sizes)
	return nil
}

// Config returns learning_rate, rho, momentum, epsilon and centered (0
// or 1).
func (o *RMSpropOptimizer) Config() map[string]float64 {
	return map[string]float64{"learning_rate": float64(o.LearningRate), "rho": float64(o.Rho),
		"momentum": float64(o.Momentum), "epsilon": float64(o.Epsilon), "centered": flag(o.Centered)}
}

// slots returns the state slots the settings use: "v", and "m" with
// momentum, "mg" when centered; nil before Init.
func (o *RMSpropOptimizer) slots() slots {
	if o.v == nil {
		return nil
	}
	s := slots{"v": o.v}
	if o.Momentum > 0 {
		s["m"] = o.m
	}
	if o.Centered {
		s["mg"] = o.mg
	}
	return s
}

// State returns a copy of the step count and of the slots "v", "m" (with
// momentum) and "mg" (centered).
func (o *RMSpropOptimizer) State() OptimizerState { return snapshot(o.step, o.slots()) }

// SetState copies s in; see Optimizer.SetState for what is checked.
func (o *RMSpropOptimizer) SetState(s OptimizerState) error {
	if err := restore("RMSprop", o.slots(), s); err != nil {
		return err
	}
	o.step = s.Step
	return nil
}

// SetLearningRate sets LearningRate; a rate that is not positive and finite is an
// error, leaving LearningRate as it was.
func (o *RMSpropOptimizer) SetLearningRate(lr float32) error {
	if err := checkRate("RMSprop", lr); err != nil {
		return err
	}
	o.LearningRate = lr
	return nil
}

// Update applies one RMSprop step, spread over the cores.
func (o *RMSpropOptimizer) Update(params, grads [][]float32) {
	o.step++
	each(params, func(i, lo, hi int) {
		o.update(params[i][lo:hi], grads[i][lo:hi], o.v[i][lo:hi], o.m[i][lo:hi], o.mg[i][lo:hi])
	})
}

// update applies the step to weights w with gradients g and state v, m, mg.
func (o *RMSpropOptimizer) update(w, g, v, m, mg []float32) {
	lr, rho, mom, eps := o.LearningRate, o.Rho, o.Momentum, o.Epsilon
	start := 0
	if mom == 0 && !o.Centered {
		start = rmspropPlain(w, g, v, lr, rho, eps)
	}
	for j := start; j < len(w); j++ {
		v[j] = float32(rho*v[j]) + float32((1-rho)*float32(g[j]*g[j]))
		den := v[j]
		if o.Centered {
			mg[j] = float32(rho*mg[j]) + float32((1-rho)*g[j])
			den = v[j] - float32(mg[j]*mg[j])
		}
		inc := float32(lr*g[j]) / math32.Sqrt(den+eps)
		if mom > 0 {
			m[j] = float32(mom*m[j]) + inc
			w[j] -= m[j]
		} else {
			w[j] -= inc
		}
	}
}
