package train

import (
	"math"

	"github.com/pkg/errors"
)

// An Objective is what one output of a network is trained and scored
// for: its loss, the loss's weight in the total, and its metrics, as
// Keras's compile takes loss, loss_weights and metrics per output.
type Objective struct {
	// Loss is the output's loss. nil leaves the output out of training
	// (Keras's loss None for it); its metrics are still computed.
	Loss Loss
	// Weight multiplies the output's loss in the total that training
	// minimises and that "loss" reports. 0 stands for 1, Keras's
	// default; a negative or non-finite weight is an error.
	Weight float64
	// Metrics are computed on the output, in order.
	Metrics []Metric
}

// weight returns the weight the objective's loss counts with.
func (o Objective) weight() float64 {
	if o.Weight == 0 {
		return 1
	}
	return o.Weight
}

// check returns an error naming what is wrong with the objective of
// output i.
func (o Objective) check(i int) error {
	if o.Weight < 0 || math.IsNaN(o.Weight) || math.IsInf(o.Weight, 0) {
		return errors.Errorf("output %d: loss weight %v; want a positive finite number (0 for the default 1)", i, o.Weight)
	}
	for j, m := range o.Metrics {
		if m == nil {
			return errors.Errorf("output %d: metric %d is nil", i, j)
		}
	}
	return nil
}

// needsTargets reports whether the output is compared with targets.
func (o Objective) needsTargets() bool { return o.Loss != nil || len(o.Metrics) > 0 }
