package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// bnStill is an optimizer that changes nothing (a learning rate of 0,
// which the built-in ones refuse), so that Fit moves BatchNormalization's
// moving statistics alone.
type bnStill struct{ step int64 }

func (*bnStill) Name() string                            { return "bn_still" }
func (*bnStill) Init([]int) error                        { return nil }
func (o *bnStill) Update(_, _ [][]float32)               { o.step++ }
func (*bnStill) Config() map[string]float64              { return map[string]float64{} }
func (o *bnStill) State() train.OptimizerState           { return train.OptimizerState{Step: o.step} }
func (o *bnStill) SetState(s train.OptimizerState) error { o.step = s.Step; return nil }
func (*bnStill) SetLearningRate(float32) error           { return errors.New("bn_still has no learning rate") }

// bnModel is a model Dense(units) → [Reshape] → BatchNormalization →
// [Flatten] → Dense(classes, softmax) on vectors of in features, as a
// Sequential or a functional model. With reshape set the first Dense's
// output is viewed as (units/channels, channels) samples, so the
// statistics are taken over batch·units/channels rows.
type bnModel struct {
	m          *Model
	dense, out *DenseLayer
	bn         *BatchNormalizationLayer
	channels   int
}

func bnNew(t testing.TB, functional bool, in, units, channels, classes int, momentum float64) *bnModel {
	t.Helper()
	b := &bnModel{dense: Dense(units, ReLU), bn: BatchNormalization(), out: Dense(classes, Softmax), channels: channels}
	if !functional {
		b.dense = Dense(units, ReLU, InputShape(in))
	}
	b.bn.Momentum = momentum
	var mid []Layer
	if channels != units {
		mid = []Layer{Reshape([]int{units / channels, channels}), b.bn, Flatten()}
	} else {
		mid = []Layer{b.bn}
	}
	if functional {
		x0 := Input(in)
		x := Call(b.dense, x0)
		for _, l := range mid {
			x = Call(l, x)
		}
		m, err := NewModel([]*Tensor{x0}, []*Tensor{Call(b.out, x)})
		if err != nil {
			t.Fatal(err)
		}
		b.m = m
	} else {
		b.m = NewSequential(append(append([]Layer{b.dense}, mid...), b.out)...)
	}
	return b
}

// bnF64 returns a float32 tensor's values in float64.
func bnF64(d *tensor.Dense) []float64 {
	v := d.Data().([]float32)
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// bnHidden returns the first Dense's output for rows lo…hi−1 of x,
// computed naively in float64 from its float32 weights: relu(x·W + b).
func (b *bnModel) bnHidden(x *tensor.Dense, lo, hi int) []float64 {
	in, units := x.Shape()[1], b.dense.Units()
	xs, w, bias := bnF64(x), bnF64(b.dense.Kernel()), bnF64(b.dense.Bias())
	h := make([]float64, 0, (hi-lo)*units)
	for r := lo; r < hi; r++ {
		for j := range units {
			s := bias[j]
			for k := range in {
				s += xs[r*in+k] * w[k*units+j]
			}
			h = append(h, max(s, 0))
		}
	}
	return h
}

// bnMoments returns the per-channel mean and biased variance of h seen
// as (rows, c), naively, in two passes.
func bnMoments(h []float64, c int) (mean, variance []float64) {
	rows := len(h) / c
	mean, variance = make([]float64, c), make([]float64, c)
	for i, v := range h {
		mean[i%c] += v
	}
	for j := range mean {
		mean[j] /= float64(rows)
	}
	for i, v := range h {
		d := v - mean[i%c]
		variance[i%c] += d * d
	}
	for j := range variance {
		variance[j] /= float64(rows)
	}
	return mean, variance
}

// bnPredict returns the model's output for x computed naively in
// inference mode: the moving statistics normalise.
func (b *bnModel) bnPredict(x *tensor.Dense) []float64 {
	n, c := x.Shape()[0], b.channels
	h := b.bnHidden(x, 0, n)
	mm, mv, gamma, beta := bnF64(b.bn.MovingMean()), bnF64(b.bn.MovingVariance()), bnF64(b.bn.Gamma()), bnF64(b.bn.Beta())
	for i, v := range h {
		j := i % c
		h[i] = (v-mm[j])/math.Sqrt(mv[j]+b.bn.Epsilon)*gamma[j] + beta[j]
	}
	units, classes := b.dense.Units(), b.out.Units()
	w, bias := bnF64(b.out.Kernel()), bnF64(b.out.Bias())
	out := make([]float64, n*classes)
	for r := range n {
		z := out[r*classes : (r+1)*classes]
		top := math.Inf(-1)
		for j := range classes {
			z[j] = bias[j]
			for k := range units {
				z[j] += h[r*units+k] * w[k*classes+j]
			}
			top = max(top, z[j])
		}
		sum := 0.0
		for j := range z {
			z[j] = math.Exp(z[j] - top)
			sum += z[j]
		}
		for j := range z {
			z[j] /= sum
		}
	}
	return out
}

// bnClose fails the test unless got and want agree to tol, relative to
// values above 1.
func bnClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

// bnSnapshot returns a copy of every weight of m, by name.
func bnSnapshot(m *Model) map[string][]float32 {
	s := map[string][]float32{}
	for _, p := range (network{m}).Params() {
		s[p.Name] = slices.Clone(p.Value.Data().([]float32))
	}
	return s
}

// bnSame fails the test unless the named weights of m are bit for bit
// those of the snapshot (every weight when names is empty).
func bnSame(t *testing.T, what string, m *Model, before map[string][]float32, names ...string) {
	t.Helper()
	for _, p := range (network{m}).Params() {
		if len(names) > 0 && !slices.Contains(names, p.Name) {
			continue
		}
		got := p.Value.Data().([]float32)
		for i, v := range before[p.Name] {
			if math.Float32bits(v) != math.Float32bits(got[i]) {
				t.Errorf("%s changed %s[%d]: %v, was %v", what, p.Name, i, got[i], v)
				break
			}
		}
	}
}

// TestBatchNormMovingStatistics fits one epoch of three batches (the
// last one partial), in order, with an optimizer that changes no weight,
// and checks the moving statistics against Keras's update, moving ←
// moving·momentum + batch statistic·(1 − momentum), applied batch by
// batch to statistics computed naively (the biased variance); then that
// Predict normalises with the moving statistics, and that Evaluate and
// Predict leave them as they are.
func TestBatchNormMovingStatistics(t *testing.T) {
	for _, tc := range []struct {
		name       string
		functional bool
		channels   int
		momentum   float64
	}{
		{"sequential", false, 6, 0.9},
		{"functional", true, 6, 0.6},
		{"sequential keras momentum", false, 6, 0.99},
		{"sequential reshaped to (3, 2)", false, 2, 0.7},
		{"functional reshaped to (2, 3)", true, 3, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n, in, units, classes, batch = 10, 4, 6, 3, 4
			x, y := blobs(t, n, classes, in)
			b := bnNew(t, tc.functional, in, units, tc.channels, classes, tc.momentum)
			compiled(t, b.m, &bnStill{})
			before := bnSnapshot(b.m)
			if _, err := b.m.Fit(x, y, train.Epochs(1), train.BatchSize(batch), train.Shuffle(false), train.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			bnSame(t, "Fit with no step", b.m, before, "dense/kernel", "dense/bias", "batch_normalization/gamma", "batch_normalization/beta")
			c := tc.channels
			mm, mv := make([]float64, c), make([]float64, c)
			for j := range mv {
				mv[j] = 1
			}
			for lo := 0; lo < n; lo += batch {
				mean, variance := bnMoments(b.bnHidden(x, lo, min(lo+batch, n)), c)
				for j := range c {
					m := tc.momentum
					mm[j] = float64(float32(mm[j]*m + mean[j]*(1-m)))
					mv[j] = float64(float32(mv[j]*m + variance[j]*(1-m)))
				}
			}
			bnClose(t, "moving_mean", bnF64(b.bn.MovingMean()), mm, 1e-6)
			bnClose(t, "moving_variance", bnF64(b.bn.MovingVariance()), mv, 1e-6)

			stats := bnSnapshot(b.m)
			p, err := b.m.Predict(x, train.Verbose(0), train.BatchSize(3))
			if err != nil {
				t.Fatal(err)
			}
			bnClose(t, "prediction", bnF64(p), b.bnPredict(x), 1e-5)
			if _, _, err := b.m.Evaluate(x, y, train.Verbose(0), train.BatchSize(3)); err != nil {
				t.Fatal(err)
			}
			bnSame(t, "Predict or Evaluate", b.m, stats)
		})
	}
}

// TestBatchNormFrozen checks that a BatchNormalization layer frozen with
// SetTrainable(false) keeps its moving statistics, gamma and beta through
// Fit, and normalises with its moving statistics there: Fit's loss on
// one batch is Evaluate's. An unfrozen one, the control, moves them all
// and its Fit loss differs.
func TestBatchNormFrozen(t *testing.T) {
	const n, in, units, classes = 8, 4, 6, 3
	x, y := blobs(t, n, classes, in)
	for _, frozen := range []bool{true, false} {
		b := bnNew(t, false, in, units, units, classes, 0.9)
		b.bn.SetTrainable(!frozen)
		sgd := train.SGD()
		sgd.LearningRate = 0.1
		compiled(t, b.m, sgd)
		// Statistics far from the batch's, so that the two modes differ.
		for i := range units {
			b.bn.MovingMean().Data().([]float32)[i] = 0.3 + 0.1*float32(i)
			b.bn.MovingVariance().Data().([]float32)[i] = 2 + 0.5*float32(i)
			b.bn.Gamma().Data().([]float32)[i] = 1.5 - 0.2*float32(i)
			b.bn.Beta().Data().([]float32)[i] = -0.1 * float32(i)
		}
		before := bnSnapshot(b.m)
		want, _, err := b.m.Evaluate(x, y, train.Verbose(0), train.BatchSize(n))
		if err != nil {
			t.Fatal(err)
		}
		h, err := b.m.Fit(x, y, train.Epochs(1), train.BatchSize(n), train.Shuffle(false), train.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		got := h.Values["loss"][0]
		bnWeights := []string{"batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean", "batch_normalization/moving_variance"}
		if frozen {
			bnSame(t, "Fit of a frozen BatchNormalization", b.m, before, bnWeights...)
			if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("frozen: Fit's loss %v, Evaluate's %v: Fit did not run the layer in inference mode", got, want)
			}
		} else {
			for _, name := range bnWeights {
				if slices.Equal(before[name], bnSnapshot(b.m)[name]) {
					t.Errorf("unfrozen: Fit left %s as it was", name)
				}
			}
			if math.Abs(got-want) < 1e-3 {
				t.Errorf("unfrozen: Fit's loss %v is Evaluate's %v: the control does not tell the modes apart", got, want)
			}
		}
		if slices.Equal(before["dense/kernel"], bnSnapshot(b.m)["dense/kernel"]) {
			t.Errorf("frozen %v: Fit did not train dense/kernel", frozen)
		}
	}
}

// TestBatchNormSummary checks the totals: a BatchNormalization layer of c
// channels has 4c parameters, of which the 2c moving statistics are not
// trainable; a frozen one's gamma and beta are not trainable either.
func TestBatchNormSummary(t *testing.T) {
	two := func(freeze bool) *Sequential {
		bn := BatchNormalization()
		bn.SetTrainable(!freeze)
		return NewSequential(Dense(4, ReLU, InputShape(3)), BatchNormalization(), Dense(5, ReLU), bn, Dense(2, Softmax))
	}
	for _, tc := range []struct {
		name string
		m    *Model
		want []string
	}{
		// 16 + 16 + 25 + 20 + 12 parameters; 2·4 + 2·5 moving statistics.
		{"two", two(false), []string{
			"batch_normalization (BatchNo (None, 4)                 16        \n",
			"batch_normalization_1 (Batch (None, 5)                 20        \n",
			"Total params: 89\n", "Trainable params: 71\n", "Non-trainable params: 18\n"}},
		// The second one frozen: its gamma and beta (10) too.
		{"second frozen", two(true), []string{"Total params: 89\n", "Trainable params: 61\n", "Non-trainable params: 28\n"}},
		{"functional", func() *Model {
			x := Input(3)
			m, err := NewModel([]*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(BatchNormalization().Call(Dense(7, ReLU).Call(x)))})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}(), []string{"(None, 7)            28          dense[0][0]", "Total params: 72\n", "Trainable params: 58\n", "Non-trainable params: 14\n"}},
	} {
		s := tc.m.Summary()
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: summary lacks %q:\n%s", tc.name, w, s)
			}
		}
	}
}

// TestBatchNormSaveLoad trains a model with a BatchNormalization layer
// (settings not Keras's defaults, and a frozen one) and checks that Save
// and Load give back its layers, settings and weights, the moving
// statistics included, bit for bit, and the same predictions.
func TestBatchNormSaveLoad(t *testing.T) {
	const n, in, units, classes = 12, 4, 6, 3
	x, y := blobs(t, n, classes, in)
	for _, functional := range []bool{false, true} {
		// Dense → Reshape(2, 3) → BatchNormalization → Flatten → a frozen
		// BatchNormalization → Dense.
		b := &bnModel{dense: Dense(units, ReLU), bn: BatchNormalization(), out: Dense(classes, Softmax), channels: 3}
		b.bn.Momentum, b.bn.Epsilon = 0.75, 0.01
		frozen := BatchNormalization(Name("frozen_bn"))
		frozen.SetTrainable(false)
		if functional {
			x0 := Input(in)
			h := Flatten().Call(b.bn.Call(Reshape([]int{2, 3}).Call(b.dense.Call(x0))))
			m, err := NewModel([]*Tensor{x0}, []*Tensor{b.out.Call(frozen.Call(h))})
			if err != nil {
				t.Fatal(err)
			}
			b.m = m
		} else {
			b.dense = Dense(units, ReLU, InputShape(in))
			b.m = NewSequential(b.dense, Reshape([]int{2, 3}), b.bn, Flatten(), frozen, b.out)
		}
		compiled(t, b.m, optimizer(t, "sgd", map[string]float64{"learning_rate": 0.05, "momentum": 0.5}))
		if _, err := b.m.Fit(x, y, train.Epochs(2), train.BatchSize(5), train.Seed(3), train.Verbose(0)); err != nil {
			t.Fatal(err)
		}
		if mv := b.bn.MovingVariance().Data().([]float32); mv[0] == 1 {
			t.Fatal("Fit did not move the statistics")
		}
		got := reloaded(t, b.m)
		sameWeights(t, b.m, got)
		bn, ok := got.Layer("batch_normalization").(*BatchNormalizationLayer)
		if !ok || bn.Momentum != 0.75 || bn.Epsilon != 0.01 || !bn.Trainable() {
			t.Errorf("functional %v: loaded batch_normalization is %#v", functional, got.Layer("batch_normalization"))
		}
		if fb, ok := got.Layer("frozen_bn").(*BatchNormalizationLayer); !ok || fb.Trainable() || fb.Momentum != 0.99 || fb.Epsilon != 1e-3 {
			t.Errorf("functional %v: loaded frozen_bn is %#v", functional, got.Layer("frozen_bn"))
		}
		pa, err := b.m.Predict(x, train.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		pb, err := got.Predict(x, train.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range pa.Data().([]float32) {
			if math.Float32bits(v) != math.Float32bits(pb.Data().([]float32)[i]) {
				t.Fatalf("functional %v: loaded model predicts %v at %d, want %v", functional, pb.Data().([]float32)[i], i, v)
			}
		}
		if got.Summary() != b.m.Summary() {
			t.Errorf("functional %v: loaded summary\n%s\nwant\n%s", functional, got.Summary(), b.m.Summary())
		}
	}
}
