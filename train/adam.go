package train

import (
	"math"

	"github.com/chewxy/math32"
	"github.com/pkg/errors"
)

// AdamOptimizer is Keras 3's Adam. At step t (from 1), for a weight w with
// gradient g:
//
//	m ← m + (g − m)(1−β₁)
//	v ← v + (g² − v)(1−β₂)
//	α ← lr·√(1−β₂ᵗ) / (1−β₁ᵗ)
//	w ← w − α·m / (√v + ε)
//
// Set the fields before Compile; afterwards change the rate with
// SetLearningRate.
type AdamOptimizer struct {
	LearningRate, Epsilon float32
	// Beta1 and Beta2 are float64, as Keras's Python floats are: the
	// moments' weights 1−β₁ and 1−β₂ are computed in float64 and then
	// rounded to float32, as Keras does (1−β₂ from a float32 0.999 is
	// 1.3e-5 off), and βᵗ from β rounded to float32.
	Beta1, Beta2 float64

	t    int64
	m, v [][]float32
}

// Adam returns Adam with Keras's defaults: learning rate 0.001, beta1 0.9,
// beta2 0.999, epsilon 1e-7.
func Adam() *AdamOptimizer {
	return &AdamOptimizer{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Name returns "adam".
func (o *AdamOptimizer) Name() string { return "adam" }

// check returns an error naming the first setting out of range.
func (o *AdamOptimizer) check() error {
	if err := checkRate("Adam", o.LearningRate); err != nil {
		return err
	}
	if err := checkUnit("Adam", "beta1", o.Beta1); err != nil {
		return err
	}
	if err := checkUnit("Adam", "beta2", o.Beta2); err != nil {
		return err
	}
	if !(o.Epsilon >= 0) || math32.IsInf(o.Epsilon, 1) {
		return errors.Errorf("Adam: epsilon must be finite and ≥ 0, got %v", o.Epsilon)
	}
	return nil
}

// Init checks the settings and zeroes the moments and the step count.
func (o *AdamOptimizer) Init(sizes []int) error {
	if err := o.check(); err != nil {
		return err
	}
	o.t, o.m, o.v = 0, state(sizes), state(sizes)
	return nil
}

// Config returns learning_rate, beta_1, beta_2 and epsilon.
func (o *AdamOptimizer) Config() map[string]float64 {
	return map[string]float64{"learning_rate": float64(o.LearningRate), "beta_1": float64(o.Beta1),
		"beta_2": float64(o.Beta2), "epsilon": float64(o.Epsilon)}
}

// slots returns "m" and "v"; nil before Init.
func (o *AdamOptimizer) slots() slots {
	if o.m == nil {
		return nil
	}
	return slots{"m": o.m, "v": o.v}
}

// State returns a copy of t (Step) and of the moments "m" and "v".
func (o *AdamOptimizer) State() OptimizerState { return snapshot(o.t, o.slots()) }

// SetState copies s in; see Optimizer.SetState for what is checked.
func (o *AdamOptimizer) SetState(s OptimizerState) error {
	if err := restore("Adam", o.slots(), s); err != nil {
		return err
	}
	o.t = s.Step
	return nil
}

// SetLearningRate sets LearningRate; a rate that is not positive and finite is an
// error, leaving LearningRate as it was.
func (o *AdamOptimizer) SetLearningRate(lr float32) error {
	if err := checkRate("Adam", lr); err != nil {
		return err
	}
	o.LearningRate = lr
	return nil
}

// Update applies one Adam step, spread over the cores.
func (o *AdamOptimizer) Update(params, grads [][]float32) {
	o.t++
	p1 := float32(math.Pow(float64(float32(o.Beta1)), float64(o.t)))
	p2 := float32(math.Pow(float64(float32(o.Beta2)), float64(o.t)))
	alpha := o.LearningRate * math32.Sqrt(1-p2) / (1 - p1)
	c1, c2 := float32(1-o.Beta1), float32(1-o.Beta2)
	each(params, func(i, lo, hi int) {
		o.update(alpha, c1, c2, params[i][lo:hi], grads[i][lo:hi], o.m[i][lo:hi], o.v[i][lo:hi])
	})
}

// update applies the step of size alpha to weights w with gradients g and
// moments m, v, weighting the new gradient by c1 = 1−β₁ and c2 = 1−β₂.
func (o *AdamOptimizer) update(alpha, c1, c2 float32, w, g, m, v []float32) {
	for j := range w {
		m[j] += float32((g[j] - m[j]) * c1)
		v[j] += float32((float32(g[j]*g[j]) - v[j]) * c2)
		w[j] -= float32(alpha*m[j]) / (math32.Sqrt(v[j]) + o.Epsilon)
	}
}
