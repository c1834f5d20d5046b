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
// Set the fields before Compile.
type RMSpropOptimizer struct {
	LearningRate, Rho, Momentum, Epsilon float32
	Centered                             bool

	v, m, mg [][]float32
}

// RMSprop returns RMSprop with Keras's defaults: learning rate 0.001,
// rho 0.9, momentum 0, epsilon 1e-7, not centered.
func RMSprop() *RMSpropOptimizer {
	return &RMSpropOptimizer{LearningRate: 0.001, Rho: 0.9, Epsilon: 1e-7}
}

// Name returns "rmsprop".
func (o *RMSpropOptimizer) Name() string { return "rmsprop" }

// Init checks the settings and zeroes the state.
func (o *RMSpropOptimizer) Init(sizes []int) error {
	if err := checkRate("RMSprop", o.LearningRate); err != nil {
		return err
	}
	if err := checkUnit("RMSprop", "rho", o.Rho); err != nil {
		return err
	}
	if err := checkUnit("RMSprop", "momentum", o.Momentum); err != nil {
		return err
	}
	if !(o.Epsilon >= 0) {
		return errors.Errorf("RMSprop: epsilon must be ≥ 0, got %v", o.Epsilon)
	}
	o.v, o.m, o.mg = state(sizes), state(sizes), state(sizes)
	return nil
}

// Update applies one RMSprop step, spread over the cores.
func (o *RMSpropOptimizer) Update(params, grads [][]float32) {
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
