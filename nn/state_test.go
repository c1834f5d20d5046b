package nn

import (
	"bytes"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/internal/npz"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// blobs returns n samples of the given shape in 3 classes: the class is
// the argmax of three fixed sums of the features, so a model can learn
// it. y is one-hot, of width classes (≥ 3).
func blobs(t testing.TB, n, classes int, shape ...int) (x, y *tensor.Dense) {
	t.Helper()
	size := 1
	for _, d := range shape {
		size *= d
	}
	rng := graph.NewRand(11)
	xd, yd := make([]float32, n*size), make([]float32, n*classes)
	for i := 0; i < n; i++ {
		var s [3]float32
		for j := 0; j < size; j++ {
			v := float32(rng.Float64()*2 - 1)
			xd[i*size+j] = v
			s[j%3] += v
		}
		best := 0
		for k := range s {
			if s[k] > s[best] {
				best = k
			}
		}
		yd[i*classes+best] = 1
	}
	return tensor.New(tensor.WithShape(append([]int{n}, shape...)...), tensor.WithBacking(xd)),
		tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(yd))
}

// optimizer returns the named optimizer with the settings, or fails.
func optimizer(t testing.TB, name string, config map[string]float64) train.Optimizer {
	t.Helper()
	o, err := train.NewOptimizer(name, config)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// compiled returns m built with seed 1 and compiled with opt, categorical
// cross-entropy and accuracy.
func compiled(t testing.TB, m *Sequential, opt train.Optimizer) *Sequential {
	t.Helper()
	built(t, m, 1)
	if err := m.Compile(opt, train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		t.Fatal(err)
	}
	return m
}

// smallMLP is an MLP with dropout, for 4 features and 3 classes.
func smallMLP() *Sequential {
	return NewSequential(Dense(8, ReLU, InputShape(4)), Dropout(0.2), Dense(3, Softmax))
}

// smallConvnet has every layer kind, for (6, 6, 1) images and 3 classes.
func smallConvnet() *Sequential {
	return NewSequential(
		Conv2D(4, [2]int{3, 3}, ReLU, InputShape(6, 6, 1), Padding("same")),
		MaxPooling2D([2]int{2, 2}),
		Conv2D(3, [2]int{2, 2}, ReLU, Strides(1, 1)),
		Dropout(0.1),
		Flatten(),
		Dense(3, Softmax),
	)
}

// sameState fails the test unless a and b (compiled) have the same
// optimizer, settings, state (bit for bit), loss, metrics and epoch.
func sameState(t *testing.T, am, bm *Model) {
	t.Helper()
	a, b := am, bm
	if b.trainer == nil {
		t.Fatal("not compiled")
	}
	oa, ob := a.trainer.Optimizer(), b.trainer.Optimizer()
	if oa.Name() != ob.Name() || !reflect.DeepEqual(oa.Config(), ob.Config()) {
		t.Errorf("optimizer %s %v, want %s %v", ob.Name(), ob.Config(), oa.Name(), oa.Config())
	}
	sa, sb := oa.State(), ob.State()
	if sa.Step != sb.Step || len(sa.Slots) != len(sb.Slots) {
		t.Fatalf("optimizer state: step %d, %d slots; want %d, %d", sb.Step, len(sb.Slots), sa.Step, len(sa.Slots))
	}
	for name, va := range sa.Slots {
		vb := sb.Slots[name]
		if len(vb) != len(va) {
			t.Fatalf("slot %s: %d values, want %d", name, len(vb), len(va))
		}
		for i := range va {
			for j := range va[i] {
				if math.Float32bits(va[i][j]) != math.Float32bits(vb[i][j]) {
					t.Fatalf("slot %s[%d][%d] = %v, want %v", name, i, j, vb[i][j], va[i][j])
				}
			}
		}
	}
	if a.trainer.Objectives()[0].Loss.Name() != b.trainer.Objectives()[0].Loss.Name() {
		t.Errorf("loss %s, want %s", b.trainer.Objectives()[0].Loss.Name(), a.trainer.Objectives()[0].Loss.Name())
	}
	if len(a.trainer.Objectives()[0].Metrics) != len(b.trainer.Objectives()[0].Metrics) {
		t.Errorf("%d metrics, want %d", len(b.trainer.Objectives()[0].Metrics), len(a.trainer.Objectives()[0].Metrics))
	}
	if a.Epoch() != b.Epoch() {
		t.Errorf("epoch %d, want %d", b.Epoch(), a.Epoch())
	}
}

func TestSaveLoadTrainingState(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   func() *Sequential
		shape   []int
		opt     string
		config  map[string]float64
		slots   []string
		classes int
	}{
		{"lesson mlp rmsprop", lessonModel, []int{784}, "rmsprop", nil, []string{"v"}, 10},
		{"mlp rmsprop centered momentum", smallMLP, []int{4}, "rmsprop", map[string]float64{"momentum": 0.5, "centered": 1}, []string{"m", "mg", "v"}, 3},
		{"convnet adam", smallConvnet, []int{6, 6, 1}, "adam", map[string]float64{"learning_rate": 0.01}, []string{"m", "v"}, 3},
		{"convnet sgd nesterov", smallConvnet, []int{6, 6, 1}, "sgd", map[string]float64{"momentum": 0.9, "nesterov": 1}, []string{"m"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.classes == 10 {
				t.Skip("407,050 weights: slow under -race")
			}
			m := compiled(t, tc.model(), optimizer(t, tc.opt, tc.config))
			x, y := blobs(t, 40, tc.classes, tc.shape...)
			if _, err := m.Fit(x, y, train.Epochs(2), train.BatchSize(16), train.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "m.npz")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			sameWeights(t, m, got)
			sameState(t, m, got)
			if got.Epoch() != 2 {
				t.Errorf("epoch %d after 2, want 2", got.Epoch())
			}
			// The slots are in the file under their names.
			arrays, _, err := npz.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			var slots []string
			for name := range arrays {
				last := (network{m}).Params()
				bias := last[len(last)-1].Name + "/"
				if rest, ok := strings.CutPrefix(name, optimizerPrefix); ok && strings.HasPrefix(rest, bias) {
					slots = append(slots, strings.TrimPrefix(rest, bias))
				}
			}
			sort.Strings(slots)
			if !reflect.DeepEqual(slots, tc.slots) {
				t.Errorf("slots of the last bias in the file: %q, want %q", slots, tc.slots)
			}
			// Saving the loaded model gives the same file.
			if !bytes.Equal(readFile(t, path), saveBytes(t, got)) {
				t.Error("the loaded model saves differently")
			}
		})
	}
}

// TestResumeIsExact trains 5 epochs in one go, and 2 epochs, saved,
// loaded and resumed for 3: the same History and weights, bit for bit.
func TestResumeIsExact(t *testing.T) {
	for _, tc := range []struct {
		name   string
		model  func() *Sequential
		shape  []int
		opt    string
		config map[string]float64
	}{
		{"mlp rmsprop", smallMLP, []int{4}, "rmsprop", map[string]float64{"learning_rate": 0.01}},
		{"convnet adam", smallConvnet, []int{6, 6, 1}, "adam", map[string]float64{"learning_rate": 0.01}},
		{"mlp sgd momentum", smallMLP, []int{4}, "sgd", map[string]float64{"momentum": 0.9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := blobs(t, 50, 3, tc.shape...)
			xv, yv := blobs(t, 10, 3, tc.shape...)
			opts := []train.Option{train.BatchSize(8), train.Seed(4), train.Verbose(0), train.ValidationData(xv, yv)}
			one := compiled(t, tc.model(), optimizer(t, tc.opt, tc.config))
			h, err := one.Fit(x, y, append(opts, train.Epochs(5))...)
			if err != nil {
				t.Fatal(err)
			}
			first := compiled(t, tc.model(), optimizer(t, tc.opt, tc.config))
			h1, err := first.Fit(x, y, append(opts, train.Epochs(2))...)
			if err != nil {
				t.Fatal(err)
			}
			resumed := reloaded(t, first)
			h2, err := resumed.Fit(x, y, append(opts, train.InitialEpoch(resumed.Epoch()), train.Epochs(5))...)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(append([]int(nil), h1.Epochs...), h2.Epochs...); !reflect.DeepEqual(got, h.Epochs) {
				t.Errorf("epochs %v, want %v", got, h.Epochs)
			}
			for _, name := range h.Names {
				got := append(append([]float64(nil), h1.Values[name]...), h2.Values[name]...)
				if !reflect.DeepEqual(got, h.Values[name]) {
					t.Errorf("%s: %v resumed, %v in one go", name, got, h.Values[name])
				}
			}
			sameWeights(t, one, resumed)
			sameState(t, one, resumed)
			if resumed.Epoch() != 5 {
				t.Errorf("epoch %d, want 5", resumed.Epoch())
			}
		})
	}
}

func TestCheckpoint(t *testing.T) {
	x, y := blobs(t, 60, 3, 4)
	xv, yv := blobs(t, 12, 3, 4)
	dir := t.TempDir()
	m := compiled(t, smallMLP(), optimizer(t, "sgd", map[string]float64{"learning_rate": 0.3}))
	best := m.Checkpoint(filepath.Join(dir, "best-{epoch:02d}.npz"), "val_accuracy", true)
	every := m.Checkpoint(filepath.Join(dir, "last.npz"), "", false)
	h, err := m.Fit(x, y, train.Epochs(8), train.BatchSize(6), train.Seed(2), train.Verbose(0),
		train.ValidationData(xv, yv), train.Callbacks(best, every))
	if err != nil {
		t.Fatal(err)
	}
	// The epochs that improved on the best validation accuracy so far.
	var want []string
	top := math.Inf(-1)
	for i, v := range h.Values["val_accuracy"] {
		if v > top {
			top = v
			want = append(want, filepath.Join(dir, "best-0"+string(rune('1'+i))+".npz"))
		}
	}
	if len(want) == len(h.Epochs) {
		t.Fatalf("val_accuracy %v improves every epoch: the test cannot tell save_best_only from saving always", h.Values["val_accuracy"])
	}
	got, err := filepath.Glob(filepath.Join(dir, "best-*.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checkpoints %q, want %q (val_accuracy %v)", got, want, h.Values["val_accuracy"])
	}
	for _, p := range got {
		c, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if name := filepath.Base(p); c.Epoch() != int(name[6]-'0') {
			t.Errorf("%s: epoch %d", name, c.Epoch())
		}
	}
	last, err := Load(filepath.Join(dir, "last.npz"))
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, m, last)
	sameState(t, m, last)
	noTemp(t, dir, append([]string{"last.npz"}, baseNames(got)...)...)
}

func baseNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(p))
	}
	return out
}

// TestSaveWhileFitting saves from other goroutines while Fit trains: the
// saves wait for the trainer's lock, so every file holds the weights of
// before or after the Fit, never a mix (and -race sees no race).
func TestSaveWhileFitting(t *testing.T) {
	x, y := blobs(t, 200, 3, 4)
	m := compiled(t, smallMLP(), optimizer(t, "rmsprop", nil))
	dir := t.TempDir()
	before := filepath.Join(dir, "before.npz")
	if err := m.Save(before); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		close(start)
		if _, err := m.Fit(x, y, train.Epochs(3), train.BatchSize(4), train.Verbose(0)); err != nil {
			t.Error(err)
		}
	}()
	<-start
	var paths []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, "during-"+string(rune('0'+i))+".npz")
		paths = append(paths, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Save(p); err != nil {
				t.Error(err)
			}
			w := built(t, smallMLP(), 9)
			if err := w.LoadWeights(p); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	after := saveBytes(t, m)
	for _, p := range paths {
		if b := readFile(t, p); !bytes.Equal(b, after) && !bytes.Equal(b, readFile(t, before)) {
			t.Errorf("%s holds neither the weights before Fit nor after", p)
		}
	}
}

// namedLoss is categorical cross-entropy under a name Load does not know.
type namedLoss struct{ train.Loss }

func (namedLoss) Name() string { return "my_loss" }

func TestSaveRefusesWhatLoadCannotRebuild(t *testing.T) {
	m := built(t, smallMLP(), 1)
	if err := m.Compile(train.RMSprop(), namedLoss{train.CategoricalCrossentropy()}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.npz")
	if err := m.Save(path); err == nil || !strings.Contains(err.Error(), `"my_loss"`) || !strings.Contains(err.Error(), path) {
		t.Errorf("saving a model with an unknown loss: %v", err)
	}
	noTemp(t, dir)
	// Its weights save.
	if err := m.SaveWeights(path); err != nil {
		t.Error(err)
	}
}

func TestLoadTrainingErrors(t *testing.T) {
	m := compiled(t, smallMLP(), optimizer(t, "rmsprop", map[string]float64{"momentum": 0.5}))
	x, y := blobs(t, 20, 3, 4)
	if _, err := m.Fit(x, y, train.Epochs(1), train.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	good := savedArrays(t, m)
	training := func(f func(tr map[string]any)) func() string {
		return func() string {
			return writeArrays(t, editJSON(t, good, func(v map[string]any) { f(v["training"].(map[string]any)) }))
		}
	}
	opt := func(tr map[string]any) map[string]any { return tr["optimizer"].(map[string]any) }
	objective := func(tr map[string]any) map[string]any { return tr["objectives"].([]any)[0].(map[string]any) }
	nan := append([]float32(nil), good[len(good)-1].F32...)
	nan[2] = float32(math.NaN())
	tests := []struct {
		name string
		file func() string
		want string
		also string
	}{
		{"unknown optimizer", training(func(tr map[string]any) { opt(tr)["name"] = "adagrad" }), `gokeras_model.json: field training.optimizer: `, `"adagrad"`},
		{"unknown setting", training(func(tr map[string]any) { opt(tr)["config"].(map[string]any)["beta_1"] = 0.9 }), `gokeras_model.json: field training.optimizer: `, `"beta_1"`},
		{"bad setting", training(func(tr map[string]any) { opt(tr)["config"].(map[string]any)["rho"] = 2 }), "gokeras_model.json: field training.optimizer", ""},
		{"unknown loss", training(func(tr map[string]any) { objective(tr)["loss"] = "hinge" }), `gokeras_model.json: field training.objectives[0].loss: LossNamed: unknown loss "hinge"`, ""},
		{"unknown metric", training(func(tr map[string]any) { objective(tr)["metrics"] = []any{"accuracy", "auc"} }), `gokeras_model.json: field training.objectives[0].metrics[1]: MetricNamed: unknown metric "auc"`, ""},
		{"two objectives", training(func(tr map[string]any) { tr["objectives"] = append(tr["objectives"].([]any), objective(tr)) }), `gokeras_model.json: field training.objectives: 2 for a model of 1 outputs`, ""},
		{"version 1's loss too", training(func(tr map[string]any) { tr["loss"] = "mse" }), `field training.loss and metrics belong to version 1`, ""},
		{"negative step", training(func(tr map[string]any) { opt(tr)["step"] = -1 }), "gokeras_model.json: field training.optimizer.step is -1", ""},
		{"negative epochs", training(func(tr map[string]any) { tr["epochs_trained"] = -2 }), "gokeras_model.json: field training.epochs_trained is -2", ""},
		{"unknown field", training(func(tr map[string]any) { tr["weighted_metrics"] = []any{} }), `unknown field "weighted_metrics"`, ""},
		{"missing slot", func() string { return writeArrays(t, without(good, "optimizer/dense/kernel/m")) }, `array "optimizer/dense/kernel/m" is missing`, ""},
		{"extra slot", func() string {
			return writeArrays(t, append(append([]npz.Array(nil), good...), npz.Array{Name: "optimizer/dense/kernel/mg", Shape: []int{4, 8}, F32: make([]float32, 32)}))
		}, `array "optimizer/dense/kernel/mg" belongs to no layer or optimizer slot`, ""},
		{"slot of another shape", func() string {
			return writeArrays(t, replaced(good, npz.Array{Name: "optimizer/dense/bias/v", Shape: []int{4}, F32: make([]float32, 4)}))
		}, `array "optimizer/dense/bias/v" has shape (4,); the model's is (8,)`, ""},
		{"NaN in a slot", func() string {
			last := good[len(good)-1]
			return writeArrays(t, replaced(good, npz.Array{Name: last.Name, Shape: last.Shape, F32: nan}))
		}, `array "` + good[len(good)-1].Name + `": value NaN at index [2]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file()
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), "load "+path+": ") || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.also) {
				t.Errorf("error %v, want one naming the file and containing %q and %q", err, tc.want, tc.also)
			}
		})
	}
	// The good file loads, so each case above fails for its own reason.
	if _, err := Load(writeArrays(t, good)); err != nil {
		t.Fatal(err)
	}
}
