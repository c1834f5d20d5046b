package train

import (
	"github.com/gokeras/gokeras/internal/par"
	"github.com/pkg/errors"
)

// An Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Name is the optimizer's Keras name, e.g. "rmsprop".
	Name() string
	// Init checks the settings and sets up zeroed state for parameters
	// of the given sizes; it is called once, by Compile.
	Init(sizes []int) error
	// Update applies one step: params[i] -= f(grads[i]) in place.
	Update(params, grads [][]float32)
}

// state returns one zeroed slice per parameter size.
func state(sizes []int) [][]float32 {
	s := make([][]float32, len(sizes))
	for i, n := range sizes {
		s[i] = make([]float32, n)
	}
	return s
}

// checkRate returns an error unless lr is a positive finite number.
func checkRate(name string, lr float32) error {
	if !(lr > 0) || lr != lr || lr > 1e30 {
		return errors.Errorf("%s: learning rate must be positive, got %v", name, lr)
	}
	return nil
}

// checkUnit returns an error unless 0 ≤ v < 1.
func checkUnit(name, what string, v float32) error {
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
