package nn

import (
	"sort"

	"github.com/gokeras/gokeras/internal/npz"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// trainingJSON is what Compile was given and how far training went.
// Version 1 files have Loss and Metrics, for their one output; version 2
// has Objectives, one per output.
type trainingJSON struct {
	Loss          string          `json:"loss,omitempty"`
	Metrics       []string        `json:"metrics,omitempty"`
	Objectives    []objectiveJSON `json:"objectives,omitempty"`
	Optimizer     optimizerJSON   `json:"optimizer"`
	EpochsTrained int             `json:"epochs_trained"`
}

// objectiveJSON is one output's objective: its loss ("" for none), the
// loss's weight and its metrics.
type objectiveJSON struct {
	Loss    string   `json:"loss"`
	Weight  float64  `json:"weight"`
	Metrics []string `json:"metrics"`
}

type optimizerJSON struct {
	Name   string             `json:"name"`
	Config map[string]float64 `json:"config"`
	Step   int64              `json:"step"`
}

// locked runs f under the trainer's lock when the model is compiled, so
// that f sees the weights between two calls of Fit, Evaluate or Predict.
func (m *Model) locked(f func()) {
	if m.trainer != nil {
		m.trainer.Locked(f)
		return
	}
	f()
}

// reloadHint ends the errors of a model Load could not compile again.
const reloadHint = "Load could not compile the model again (SaveWeights saves the weights alone)"

// trainingState returns what Save records of a compiled model besides
// the weights: the training section of the JSON and the optimizer's
// slots, one array per trainable weight and slot, in weights' order,
// each slot under it in name order. It checks that Load can compile the
// model again from the names.
func (m *Model) trainingState(weights []npz.Array) (*trainingJSON, []npz.Array, error) {
	t := m.trainer
	opt := t.Optimizer()
	tj := &trainingJSON{Optimizer: optimizerJSON{Name: opt.Name(), Config: opt.Config()}, EpochsTrained: t.Epoch()}
	for _, o := range t.Objectives() {
		oj := objectiveJSON{Weight: o.Weight, Metrics: []string{}}
		if oj.Weight == 0 {
			oj.Weight = 1
		}
		if o.Loss != nil {
			oj.Loss = o.Loss.Name()
			if _, err := train.LossNamed(oj.Loss); err != nil {
				return nil, nil, errors.Wrap(err, reloadHint)
			}
		}
		for _, mt := range o.Metrics {
			if _, err := train.MetricNamed(mt.Name()); err != nil {
				return nil, nil, errors.Wrap(err, reloadHint)
			}
			oj.Metrics = append(oj.Metrics, mt.Name())
		}
		tj.Objectives = append(tj.Objectives, oj)
	}
	if _, err := train.NewOptimizer(tj.Optimizer.Name, tj.Optimizer.Config); err != nil {
		return nil, nil, errors.Wrap(err, "Load could not make the optimizer again (register it with train.RegisterOptimizer, or SaveWeights saves the weights alone)")
	}
	var trainable []npz.Array
	for i, p := range t.Params() {
		if p.Trainable {
			trainable = append(trainable, weights[i])
		}
	}
	st := opt.State()
	tj.Optimizer.Step = st.Step
	names := make([]string, 0, len(st.Slots))
	for s, vals := range st.Slots {
		if len(vals) != len(trainable) {
			return nil, nil, errors.Errorf("optimizer slot %q has %d values for %d trainable weights", s, len(vals), len(trainable))
		}
		names = append(names, s)
	}
	sort.Strings(names)
	var slots []npz.Array
	for i, w := range trainable {
		for _, s := range names {
			v := st.Slots[s][i]
			if len(v) != len(w.F32) {
				return nil, nil, errors.Errorf("optimizer slot %q of %s has %d values, want %d", s, w.Name, len(v), len(w.F32))
			}
			slots = append(slots, npz.Array{Name: optimizerPrefix + w.Name + "/" + s, Shape: w.Shape, F32: v})
		}
	}
	return tj, slots, nil
}

// objectives returns the objectives the training section describes, one
// per output of m.
func (tj *trainingJSON) objectives(m *Model) ([]train.Objective, error) {
	const field = archName + ": field training."
	ojs := tj.Objectives
	if ojs == nil { // version 1: one output
		if tj.Loss == "" {
			return nil, errors.New(field + "loss is missing")
		}
		ojs = []objectiveJSON{{Loss: tj.Loss, Weight: 1, Metrics: tj.Metrics}}
	} else if tj.Loss != "" || tj.Metrics != nil {
		return nil, errors.New(field + "loss and metrics belong to version 1; version 2 has objectives")
	}
	if len(ojs) != len(m.outputs) {
		return nil, errors.Errorf(field+"objectives: %d for a model of %d outputs", len(ojs), len(m.outputs))
	}
	objs := make([]train.Objective, len(ojs))
	for i, oj := range ojs {
		if oj.Loss != "" {
			l, err := train.LossNamed(oj.Loss)
			if err != nil {
				return nil, errors.Wrapf(err, field+"objectives[%d].loss", i)
			}
			objs[i].Loss = l
		}
		objs[i].Weight = oj.Weight
		for k, name := range oj.Metrics {
			mt, err := train.MetricNamed(name)
			if err != nil {
				return nil, errors.Wrapf(err, field+"objectives[%d].metrics[%d]", i, k)
			}
			objs[i].Metrics = append(objs[i].Metrics, mt)
		}
	}
	return objs, nil
}

// restore compiles a loaded model as the training section says, sets the
// optimizer's slots from their arrays (marking them used) and the epoch
// count.
func (m *Model) restore(tj *trainingJSON, arrays map[string]*npz.Array, used map[string]bool) error {
	const field = archName + ": field training."
	opt, err := train.NewOptimizer(tj.Optimizer.Name, tj.Optimizer.Config)
	if err != nil {
		return errors.Wrap(err, field+"optimizer")
	}
	objs, err := tj.objectives(m)
	if err != nil {
		return err
	}
	switch {
	case tj.Optimizer.Step < 0:
		return errors.Errorf(field+"optimizer.step is %d; want ≥ 0", tj.Optimizer.Step)
	case tj.EpochsTrained < 0:
		return errors.Errorf(field+"epochs_trained is %d; want ≥ 0", tj.EpochsTrained)
	}
	if err := m.CompileObjectives(opt, objs...); err != nil {
		return errors.Wrap(err, field[:len(field)-1])
	}
	var params []train.Param
	for _, p := range (network{m}).Params() {
		if p.Trainable {
			params = append(params, p)
		}
	}
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
			vals[i] = a.F32
		}
		st.Slots[s] = vals
	}
	if err := opt.SetState(st); err != nil {
		return errors.Wrap(err, "setting the optimizer's state")
	}
	return errors.Wrap(m.trainer.SetEpoch(tj.EpochsTrained), field+"epochs_trained")
}
