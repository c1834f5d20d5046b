package train

import "github.com/pkg/errors"

// SGDOptimizer is Keras 3's stochastic gradient descent. For a weight w
// with gradient g:
//
//	w ← w − lr·g                           (momentum 0)
//	m ← momentum·m − lr·g; w ← w + m        (momentum)
//	m as above; w ← w + momentum·m − lr·g   (Nesterov)
//
// Set the fields before Compile.
type SGDOptimizer struct {
	LearningRate, Momentum float32
	Nesterov               bool

	m [][]float32
}

// SGD returns SGD with Keras's defaults: learning rate 0.01, momentum 0,
// no Nesterov.
func SGD() *SGDOptimizer { return &SGDOptimizer{LearningRate: 0.01} }

// Name returns "sgd".
func (o *SGDOptimizer) Name() string { return "sgd" }

// Init checks the settings and zeroes the momentum.
func (o *SGDOptimizer) Init(sizes []int) error {
	if err := checkRate("SGD", o.LearningRate); err != nil {
		return err
	}
	if err := checkUnit("SGD", "momentum", o.Momentum); err != nil {
		return err
	}
	if o.Nesterov && o.Momentum == 0 {
		return errors.New("SGD: Nesterov needs a momentum above 0")
	}
	o.m = state(sizes)
	return nil
}

// Update applies one SGD step, spread over the cores.
func (o *SGDOptimizer) Update(params, grads [][]float32) {
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
