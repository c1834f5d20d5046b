package train

import "github.com/pkg/errors"

// SGDOptimizer is Keras 3's stochastic gradient descent. For a weight w
// with gradient g:
//
//	w ← w − lr·g                           (momentum 0)
//	m ← momentum·m − lr·g; w ← w + m        (momentum)
//	m as above; w ← w + momentum·m − lr·g   (Nesterov)
//
// Set the fields before Compile; afterwards change the rate with
// SetLearningRate.
type SGDOptimizer struct {
	LearningRate, Momentum float32
	Nesterov               bool

	step int64
	m    [][]float32
}

// SGD returns SGD with Keras's defaults: learning rate 0.01, momentum 0,
// no Nesterov.
func SGD() *SGDOptimizer { return &SGDOptimizer{LearningRate: 0.01} }

// Name returns "sgd".
func (o *SGDOptimizer) Name() string { return "sgd" }

// check returns an error naming the first setting out of range.
func (o *SGDOptimizer) check() error {
	if err := checkRate("SGD", o.LearningRate); err != nil {
		return err
	}
	if err := checkUnit("SGD", "momentum", o.Momentum); err != nil {
		return err
	}
	if o.Nesterov && o.Momentum == 0 {
		return errors.New("SGD: Nesterov needs a momentum above 0")
	}
	return nil
}

// Init checks the settings and zeroes the momentum and the step count.
func (o *SGDOptimizer) Init(sizes []int) error {
	if err := o.check(); err != nil {
		return err
	}
	o.step, o.m = 0, state(sizes)
	return nil
}

// Config returns learning_rate, momentum and nesterov (0 or 1).
func (o *SGDOptimizer) Config() map[string]float64 {
	return map[string]float64{"learning_rate": float64(o.LearningRate), "momentum": float64(o.Momentum), "nesterov": flag(o.Nesterov)}
}

// slots returns "m" with momentum, no slot without; nil before Init.
func (o *SGDOptimizer) slots() slots {
	if o.m == nil {
		return nil
	}
	if o.Momentum == 0 {
		return slots{}
	}
	return slots{"m": o.m}
}

// State returns a copy of the step count and, with momentum, of the
// slot "m".
func (o *SGDOptimizer) State() OptimizerState { return snapshot(o.step, o.slots()) }

// SetState copies s in; see Optimizer.SetState for what is checked.
func (o *SGDOptimizer) SetState(s OptimizerState) error {
	if err := restore("SGD", o.slots(), s); err != nil {
		return err
	}
	o.step = s.Step
	return nil
}

// SetLearningRate sets LearningRate; a rate that is not positive and finite is an
// error, leaving LearningRate as it was.
func (o *SGDOptimizer) SetLearningRate(lr float32) error {
	if err := checkRate("SGD", lr); err != nil {
		return err
	}
	o.LearningRate = lr
	return nil
}

// Update applies one SGD step, spread over the cores.
func (o *SGDOptimizer) Update(params, grads [][]float32) {
	o.step++
	each(params, func(i, lo, hi int) { o.update(params[i][lo:hi], grads[i][lo:hi], o.m[i][lo:hi]) })
}

// update applies the step to weights w with gradients g and momentum m.
func (o *SGDOptimizer) update(w, g, m []float32) {
	lr, mom := o.LearningRate, o.Momentum
	for j := range w {
		step := float32(lr * g[j])
		switch {
		case mom == 0:
			w[j] -= step
		case o.Nesterov:
			m[j] = float32(mom*m[j]) - step
			w[j] += float32(mom*m[j]) - step
		default:
			m[j] = float32(mom*m[j]) - step
			w[j] += m[j]
		}
	}
}
