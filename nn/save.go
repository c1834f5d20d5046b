package nn

import (
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/gokeras/gokeras/internal/npz"
	"github.com/pkg/errors"
)

// optimizerPrefix starts the names of the optimizer's slot arrays:
// optimizer/<parameter>/<slot>, e.g. optimizer/dense/kernel/v.
const optimizerPrefix = "optimizer/"

// saveWriter wraps the writer Save and SaveWeights encode into; tests
// replace it with one that fails part-way.
var saveWriter = func(w io.Writer) io.Writer { return w }

// Save writes the whole model to path as an .npz file that numpy opens
// (numpy.load(path)), atomically: path holds either its previous content
// or the complete new file, never a part of it. The file is written as
// .<name>-<random>.tmp in path's directory, synced, and renamed over
// path; on failure the temporary file is removed.
//
// The file holds, each as an array named as numpy.savez names its
// arrays:
//   - every weight, trainable or not, under its Keras name and in
//     Keras's layout, float32, C order: dense/kernel (784, 512),
//     dense/bias (512,), conv2d/kernel (3, 3, 1, 32),
//     batch_normalization/moving_mean (32,), …;
//   - gokeras_model.json, a uint8 array of UTF-8 JSON: the architecture
//     as Keras 2's model config has it (each layer's class_name and
//     config, and, for a functional model, the layers each call takes),
//     and, once the model is compiled, each output's loss, loss weight
//     and metric names, the optimizer's name, Config and step count, and
//     the epochs trained. In numpy:
//     json.loads(bytes(numpy.load(path)["gokeras_model.json"]));
//   - once compiled, every optimizer slot as optimizer/<weight>/<slot>
//     (optimizer/dense/kernel/v), shaped as its weight,
//
// so that Load gives back the model, ready to train on exactly where it
// stopped. Layers of one's own are saved through their Config and
// loaded through RegisterLayer.
//
// Of a compiled model the weights and state are copied under the
// trainer's lock (train.Trainer.Locked), which Fit, Evaluate and Predict
// hold for their whole call: a Save from another goroutine waits for the
// running call to end and never saves a torn mix of steps. For the same
// reason Save must not be called from a callback, which runs with the
// lock held: Checkpoint gives the callback that saves.
//
// It is an error if the model is not built, or has a loss, metric or
// optimizer that Load could not make again from its name
// (train.LossNamed, train.MetricNamed, train.NewOptimizer, which
// RegisterOptimizer extends: use SaveWeights then), or a layer whose
// kind is not registered, or if the file cannot be written; the error
// names the file, and the previous file is left as it was.
func (m *Model) Save(path string) error {
	if err := m.save(path, true, true); err != nil {
		return errors.Wrapf(err, "save %s", path)
	}
	return nil
}

// SaveWeights writes the model's weights alone to path, as Save writes
// them (an .npz of float32 arrays with Keras's names and layouts), as
// atomically and under the same lock. LoadWeights reads them back into a
// model of the same layers. It is an error if the model is not built or
// the file cannot be written; the error names the file, and the previous
// file is left as it was.
func (m *Model) SaveWeights(path string) error {
	if err := m.save(path, false, true); err != nil {
		return errors.Wrapf(err, "save weights %s", path)
	}
	return nil
}

func (m *Model) save(path string, whole, lock bool) error {
	arrays, err := m.arrays(whole, lock)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return npz.Write(saveWriter(w), arrays) })
}

// arrays returns what Save (whole) or SaveWeights writes, in file order:
// the architecture's JSON, the weights, the optimizer's slots. It copies
// the weights and state under the trainer's lock if lock is set.
func (m *Model) arrays(whole, lock bool) ([]npz.Array, error) {
	if !m.built {
		return nil, errors.New("the model is not built; call Build or Compile first")
	}
	var a *modelJSON
	if whole {
		var err error
		if a, err = m.architecture(); err != nil {
			return nil, err
		}
		if err := registered(m.layers); err != nil {
			return nil, err
		}
	}
	var (
		weights, slots []npz.Array
		tj             *trainingJSON
		err            error
	)
	take := func() {
		weights = m.weightsCopy()
		if whole && m.trainer != nil {
			tj, slots, err = m.trainingState(weights)
		}
	}
	if lock {
		m.locked(take)
	} else {
		take()
	}
	if err != nil {
		return nil, err
	}
	if !whole {
		return weights, nil
	}
	a.Training = tj
	b, err := json.Marshal(a)
	if err != nil {
		return nil, errors.Wrap(err, "encoding the architecture")
	}
	return append(append([]npz.Array{{Name: archName, Shape: []int{len(b)}, U8: b}}, weights...), slots...), nil
}

// registered returns an error naming the first layer whose kind Load
// could not make.
func registered(layers []Layer) error {
	registry.RLock()
	defer registry.RUnlock()
	for _, l := range layers {
		if _, ok := registry.kinds[l.Kind()]; !ok {
			return errors.Errorf("layer %s: Load could not make a %s layer again: register its kind with RegisterLayer (SaveWeights saves the weights alone)", l.Name(), l.Kind())
		}
	}
	return nil
}

// weightsCopy returns a copy of every weight, in Params order.
func (m *Model) weightsCopy() []npz.Array {
	var out []npz.Array
	for _, p := range (network{m}).Params() {
		out = append(out, npz.Array{Name: p.Name, Shape: slices.Clone([]int(p.Value.Shape())),
			F32: slices.Clone(p.Value.Data().([]float32))})
	}
	return out
}

// Load reads a model that Save wrote (of this version of gokeras or an
// earlier one): it makes the layers from the architecture alone (through
// RegisterLayer's constructors, so a file with layers of one's own needs
// them registered first), sets every weight and, if the file has
// training state, compiles the model with the saved optimizer
// (train.NewOptimizer with the saved name and Config), losses, loss
// weights and metrics, and restores the optimizer's state and the epoch
// count, so that
//
//	model.Fit(x, y, train.InitialEpoch(model.Epoch()), train.Epochs(n))
//
// continues the training exactly as if it had not stopped (given the
// same data and Fit options, Seed and BatchSize included). A file
// without training state gives a built model that is not compiled. A
// model saved as a Sequential is loaded as one: Layers leaves out its
// input layer.
//
// Every array is checked: present, float32, of the shape the
// architecture implies, and finite. A missing, misshapen or non-finite
// array (named, with the index of the first bad value), an array that
// belongs to no layer or optimizer slot, a JSON that does not parse or
// names an unknown layer kind, activation, padding, loss, metric or
// optimizer (named by its field), and a file that is truncated or not an
// .npz are errors naming the file; Load never panics on a bad file.
func Load(path string) (*Model, error) {
	m, err := load(path)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	return m, nil
}

func load(path string) (*Model, error) {
	arrays, _, err := npz.Read(path)
	if err != nil {
		return nil, err
	}
	aj, ok := arrays[archName]
	if !ok {
		return nil, errors.Errorf("no %s array: not a model Save wrote (a file of weights alone goes to LoadWeights)", archName)
	}
	if aj.U8 == nil || len(aj.Shape) != 1 {
		return nil, errors.Errorf("array %q: want a 1-D uint8 array of JSON, got shape %s float32", archName, npz.ShapeText(aj.Shape))
	}
	arch, err := parseArchitecture(aj.U8)
	if err != nil {
		return nil, errors.Wrap(err, archName)
	}
	m, err := arch.model()
	if err != nil {
		return nil, errors.Wrap(err, archName)
	}
	if m.sequential {
		if err := m.assemble(); err != nil {
			return nil, errors.Wrap(err, archName+": the architecture")
		}
	}
	used := map[string]bool{archName: true}
	// Every weight is checked against the file before anything is built,
	// so a hostile architecture cannot make Build allocate more than the
	// file holds.
	var weights []*npz.Array
	for _, l := range m.layers {
		for _, s := range l.Base().specs {
			name := l.Name() + "/" + s.Name
			a, err := fitting(arrays, name, s.Shape)
			if err != nil {
				return nil, err
			}
			used[name] = true
			weights = append(weights, a)
		}
	}
	if err := m.Build(0); err != nil {
		return nil, errors.Wrap(err, archName+": the architecture")
	}
	for i, prm := range (network{m}).Params() {
		copy(prm.Value.Data().([]float32), weights[i].F32)
	}
	if arch.Training != nil {
		if err := m.restore(arch.Training, arrays, used); err != nil {
			return nil, err
		}
	}
	if extra := unused(arrays, used); extra != "" {
		if strings.HasPrefix(extra, optimizerPrefix) && arch.Training == nil {
			return nil, errors.Errorf("array %q is optimizer state, but the architecture has no training section", extra)
		}
		return nil, errors.Errorf("array %q belongs to no layer or optimizer slot of the model", extra)
	}
	return m, nil
}

// fitting returns the named array after checking that it is there,
// float32, of the given shape and finite.
func fitting(arrays map[string]*npz.Array, name string, shape []int) (*npz.Array, error) {
	a, ok := arrays[name]
	switch {
	case !ok:
		return nil, errors.Errorf("array %q is missing", name)
	case a.F32 == nil:
		return nil, errors.Errorf("array %q is uint8; want float32", name)
	case !slices.Equal(a.Shape, shape):
		return nil, errors.Errorf("array %q has shape %s; the model's is %s", name, npz.ShapeText(a.Shape), npz.ShapeText(shape))
	}
	if err := npz.CheckFinite(a); err != nil {
		return nil, err
	}
	return a, nil
}

// unused returns the first array name, in sorted order, not in used; ""
// if there is none.
func unused(arrays map[string]*npz.Array, used map[string]bool) string {
	var extra []string
	for name := range arrays {
		if !used[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) == 0 {
		return ""
	}
	sort.Strings(extra)
	return extra[0]
}

// LoadWeights sets the model's weights from a file SaveWeights (or Save)
// wrote. The model must be built, and the file must hold exactly its
// weights: each present, float32, of the weight's shape and finite. A
// file Save wrote may also hold the architecture and optimizer state,
// which LoadWeights ignores. Any other array, or a missing or misshapen
// one, is an error naming it and the file, and then no weight is
// changed. Of a compiled model the weights are set under the trainer's
// lock, so not while a Fit, Evaluate or Predict runs on another
// goroutine (it waits for the call to end), and LoadWeights must not be
// called from a callback.
func (m *Model) LoadWeights(path string) error {
	if err := m.loadWeights(path); err != nil {
		return errors.Wrapf(err, "load weights %s", path)
	}
	return nil
}

func (m *Model) loadWeights(path string) error {
	if !m.built {
		return errors.New("the model is not built; call Build or Compile first")
	}
	arrays, _, err := npz.Read(path)
	if err != nil {
		return err
	}
	params := (network{m}).Params()
	used := map[string]bool{}
	values := make([][]float32, len(params))
	for i, p := range params {
		a, err := fitting(arrays, p.Name, p.Value.Shape())
		if err != nil {
			return err
		}
		used[p.Name] = true
		values[i] = a.F32
	}
	_, whole := arrays[archName]
	for name := range arrays {
		if whole && (name == archName || strings.HasPrefix(name, optimizerPrefix) && strings.Count(name, "/") >= 3) {
			used[name] = true
		}
	}
	if extra := unused(arrays, used); extra != "" {
		return errors.Errorf("array %q is not a weight of the model", extra)
	}
	m.locked(func() {
		for i, p := range params {
			copy(p.Value.Data().([]float32), values[i])
		}
	})
	return nil
}
