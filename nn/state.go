package nn

import (
	"sort"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// locked runs f under the trainer's lock when the model is compiled, so
// that f sees the weights between two calls of Fit, Evaluate or Predict.
func (m *Sequential) locked(f func()) {
	if m.trainer != nil {
		m.trainer.Locked(f)
		return
	}
	f()
}

// Epoch returns the number of epochs the model has been trained, over all
// Fit calls and across Save and Load (see train.Trainer.Epoch): give it
// to train.InitialEpoch to go on training a loaded model. It is 0 before
// Compile.
func (m *Sequential) Epoch() int {
	if m.trainer == nil {
		return 0
	}
	return m.trainer.Epoch()
}

// trainingState returns what Save records of a compiled model besides
// the weights: the training section of the JSON and the optimizer's
// slots, one array per weight and slot, in weights' order, each slot
// under it in name order. It checks that Load can compile the model
// again from the names.
func (m *Sequential) trainingState(weights []array) (*trainingJSON, []array, error) {
	t := m.trainer
	opt := t.Optimizer()
	obj := t.Objectives()[0]
	tj := &trainingJSON{Loss: obj.Loss.Name(), Metrics: []string{},
		Optimizer: optimizerJSON{Name: opt.Name(), Config: opt.Config()}, EpochsTrained: t.Epoch()}
	if _, err := train.LossNamed(tj.Loss); err != nil {
		return nil, nil, errors.Wrap(err, "Load could not compile the model again (SaveWeights saves the weights alone)")
	}
	for _, mt := range obj.Metrics {
		if _, err := train.MetricNamed(mt.Name()); err != nil {
			return nil, nil, errors.Wrap(err, "Load could not compile the model again (SaveWeights saves the weights alone)")
		}
		tj.Metrics = append(tj.Metrics, mt.Name())
	}
	if _, err := train.NewOptimizer(tj.Optimizer.Name, tj.Optimizer.Config); err != nil {
		return nil, nil, errors.Wrap(err, "Load could not make the optimizer again (SaveWeights saves the weights alone)")
	}
	st := opt.State()
	tj.Optimizer.Step = st.Step
	names := make([]string, 0, len(st.Slots))
	for s, vals := range st.Slots {
		if len(vals) != len(weights) {
			return nil, nil, errors.Errorf("optimizer slot %q has %d values for %d weights", s, len(vals), len(weights))
		}
		names = append(names, s)
	}
	sort.Strings(names)
	var slots []array
	for i, w := range weights {
		for _, s := range names {
			v := st.Slots[s][i]
			if len(v) != len(w.f32) {
				return nil, nil, errors.Errorf("optimizer slot %q of %s has %d values, want %d", s, w.name, len(v), len(w.f32))
			}
			slots = append(slots, array{name: optimizerPrefix + w.name + "/" + s, shape: w.shape, f32: v})
		}
	}
	return tj, slots, nil
}

// restore compiles a loaded model as the training section says, sets the
// optimizer's slots from their arrays (marking them used) and the epoch
// count.
func (m *Sequential) restore(tj *trainingJSON, arrays map[string]*array, used map[string]bool) error {
	const field = archName + ": field training."
	opt, err := train.NewOptimizer(tj.Optimizer.Name, tj.Optimizer.Config)
	if err != nil {
		return errors.Wrap(err, field+"optimizer")
	}
	loss, err := train.LossNamed(tj.Loss)
	if err != nil {
		return errors.Wrap(err, field+"loss")
	}
	metrics := make([]train.Metric, len(tj.Metrics))
	for i, name := range tj.Metrics {
		if metrics[i], err = train.MetricNamed(name); err != nil {
			return errors.Wrapf(err, field+"metrics[%d]", i)
		}
	}
	switch {
	case tj.Optimizer.Step < 0:
		return errors.Errorf(field+"optimizer.step is %d; want ≥ 0", tj.Optimizer.Step)
	case tj.EpochsTrained < 0:
		return errors.Errorf(field+"epochs_trained is %d; want ≥ 0", tj.EpochsTrained)
	}
	if err := m.Compile(opt, loss, metrics...); err != nil {
		return errors.Wrap(err, field[:len(field)-1])
	}
	params := (network{m}).Params()
	st := train.OptimizerState{Step: tj.Optimizer.Step, Slots: map[string][][]float32{}}
	for s := range opt.State().Slots {
		vals := make([][]float32, len(params))
		for i, p := range params {
			name := optimizerPrefix + p.Name + "/" + s
			a, err := fitting(arrays, name, p.Value.Shape())
			if err != nil {
				return err
			}
			used[name] = true
			vals[i] = a.f32
		}
		st.Slots[s] = vals
	}
	if err := opt.SetState(st); err != nil {
		return errors.Wrap(err, "setting the optimizer's state")
	}
	return errors.Wrap(m.trainer.SetEpoch(tj.EpochsTrained), field+"epochs_trained")
}
