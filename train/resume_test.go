package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropoutMLP is in → Dense(hidden, relu) → Dropout(0.3) while training →
// Dense(3, softmax): a network that draws random numbers at every step.
type dropoutMLP struct{ *mlp }

func newDropoutMLP(seed uint64) *dropoutMLP { return &dropoutMLP{newMLP(4, 16, seed, false)} }

func (n *dropoutMLP) Forward(x []*G.Node, p []*G.Node, mode Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	h, err := graph.ReLU(z)
	if err != nil {
		return nil, err
	}
	if mode.Training {
		if h, err = graph.Dropout(h, 0.3, mode.Rand); err != nil {
			return nil, err
		}
	}
	logits, err := graph.Dense(h, p[2], p[3])
	if err != nil {
		return nil, err
	}
	out, err := graph.Softmax(logits)
	return []*G.Node{out}, err
}

// weightsOf returns a copy of the trainer's parameter values.
func weightsOf(tr *Trainer) [][]float32 { return clone(tr.params) }

// historyDiff says where got's values differ in bits from want's, taken
// from epoch index `from` on for as many epochs as got has ("" if
// nowhere).
func historyDiff(want, got *History, from int) string {
	if strings.Join(want.Names, ",") != strings.Join(got.Names, ",") {
		return "names differ"
	}
	for _, name := range want.Names {
		g := got.Values[name]
		if from+len(g) > len(want.Values[name]) || len(g) != len(got.Epochs) {
			return name + ": lengths differ"
		}
		w := want.Values[name][from : from+len(g)]
		for i := range w {
			if math.Float64bits(w[i]) != math.Float64bits(g[i]) {
				return name + ": values differ"
			}
		}
	}
	return ""
}

// TestResumeIsExact: 5 epochs in one Fit give, bit for bit, the History
// and weights of 2 epochs then InitialEpoch(2) to 5, on the same Trainer
// and on a new one given the weights, the optimizer's state and the
// epoch count, for every optimizer, with dropout, shuffling, a partial
// last batch and validation.
func TestResumeIsExact(t *testing.T) {
	x, y, _ := blobs(90, 4, 5)
	xv, yv, _ := blobs(30, 4, 6)
	opts := []Option{BatchSize(16), Seed(11), Verbose(0), ValidationData(xv, yv)}
	for _, tc := range optimizerCases() {
		t.Run(tc.name, func(t *testing.T) {
			compile := func(seed uint64) *Trainer {
				tr, err := Compile(newDropoutMLP(seed), tc.make(), CategoricalCrossentropy(), Accuracy())
				if err != nil {
					t.Fatal(err)
				}
				return tr
			}
			whole := compile(1)
			hWhole, err := whole.Fit(x, y, append(opts, Epochs(5))...)
			if err != nil {
				t.Fatal(err)
			}

			same := compile(1)
			h1, err := same.Fit(x, y, append(opts, Epochs(2))...)
			if err != nil {
				t.Fatal(err)
			}
			if d := historyDiff(hWhole, h1, 0); d != "" {
				t.Fatalf("first 2 epochs: %s", d)
			}
			weights2, state2 := weightsOf(same), same.Optimizer().State()
			var out bytes.Buffer
			h2, err := same.Fit(x, y, append(opts, InitialEpoch(same.Epoch()), Epochs(5), Verbose(1), Output(&out))...)
			if err != nil {
				t.Fatal(err)
			}
			if d := historyDiff(hWhole, h2, 2); d != "" || len(h2.Epochs) != 3 {
				t.Errorf("same Trainer: %s", d)
			}
			if !sameBits(weightsOf(whole), weightsOf(same)) {
				t.Error("same Trainer: weights differ")
			}
			if len(h1.Epochs) != 2 || len(h2.Epochs) != 3 || h2.Epochs[0] != 2 || h2.Epochs[2] != 4 || same.Epoch() != 5 {
				t.Errorf("epochs %v then %v, counter %d; want [0 1], [2 3 4], 5", h1.Epochs, h2.Epochs, same.Epoch())
			}
			if !strings.HasPrefix(out.String(), "Epoch 3/5\n") || !strings.Contains(out.String(), "Epoch 5/5\n") || strings.Contains(out.String(), "Epoch 1/5") {
				t.Errorf("progress of the resumed run:\n%s", out.String())
			}

			fresh := compile(99) // other initial weights, all overwritten
			for i, p := range fresh.params {
				copy(p, weights2[i])
			}
			if err := fresh.Optimizer().SetState(state2); err != nil {
				t.Fatal(err)
			}
			if err := fresh.SetEpoch(2); err != nil {
				t.Fatal(err)
			}
			h3, err := fresh.Fit(x, y, append(opts, InitialEpoch(fresh.Epoch()), Epochs(5))...)
			if err != nil {
				t.Fatal(err)
			}
			if d := historyDiff(hWhole, h3, 2); d != "" || len(h3.Epochs) != 3 {
				t.Errorf("new Trainer: %s", d)
			}
			if !sameBits(weightsOf(whole), weightsOf(fresh)) {
				t.Error("new Trainer: weights differ")
			}
		})
	}
}

// TestEpochsDrawDifferently: the dropout generator is reseeded per
// epoch, so two epochs draw differently and two runs with the same seed
// the same; it also checks InitialEpoch's and SetEpoch's bad input.
func TestEpochsDrawDifferently(t *testing.T) {
	x, y, _ := blobs(32, 4, 5)
	tr, err := Compile(newDropoutMLP(1), SGD(), CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	var draws []uint64
	rec := &hookRecorder{epochEnd: func(tr *Trainer, _ int, _ Logs) { draws = append(draws, tr.rand.Uint64()) }}
	for i := 0; i < 2; i++ {
		if _, err := tr.Fit(x, y, Epochs(2), Seed(3), Verbose(0), Callbacks(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if draws[0] == draws[1] || draws[0] != draws[2] || draws[1] != draws[3] {
		t.Errorf("draws after epochs 1, 2 of two runs: %x; want the epochs different, the runs equal", draws)
	}
	if _, err := tr.Fit(x, y, InitialEpoch(-1), Verbose(0)); err == nil || !strings.Contains(err.Error(), "initial epoch must be ≥ 0") {
		t.Errorf("InitialEpoch(-1): %v", err)
	}
	if err := tr.SetEpoch(-1); err == nil || tr.Epoch() != 4 {
		t.Errorf("SetEpoch(-1): %v, counter %d (want 4, unchanged)", err, tr.Epoch())
	}
	h, err := tr.Fit(x, y, InitialEpoch(3), Epochs(3), Verbose(0))
	if err != nil || len(h.Epochs) != 0 || tr.Epoch() != 4 {
		t.Errorf("InitialEpoch(3), Epochs(3): %v, %v epochs, counter %d; want nothing trained", err, h.Epochs, tr.Epoch())
	}
}

// stopAt is a callback that, at the end of the given batch of the given
// epoch, calls act.
type stopAt struct {
	BaseCallback
	epoch, batch int
	act          func(*Trainer)
	cur          int
}

func (s *stopAt) OnEpochBegin(_ *Trainer, e int) error { s.cur = e; return nil }
func (s *stopAt) OnTrainBatchEnd(t *Trainer, b int, _ Logs) error {
	if s.cur == s.epoch && b == s.batch {
		s.act(t)
	}
	return nil
}

// TestCancelMidEpoch cancels from a callback at batch 3 (from 0) of the
// second epoch: Fit returns the first epoch's History and an error for
// which errors.Is(err, context.Canceled) holds, and the weights and
// optimizer state are those after exactly 7 + 4 steps, which a run
// stopped there by StopTraining also gives.
func TestCancelMidEpoch(t *testing.T) {
	x, y, _ := blobs(100, 4, 2) // 7 batches of 16
	opts := []Option{Epochs(3), BatchSize(16), Seed(4), Verbose(0)}
	compile := func() *Trainer {
		tr, err := Compile(newDropoutMLP(1), Adam(), CategoricalCrossentropy(), Accuracy())
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := compile()
	h, err := a.FitContext(ctx, x, y, append(opts, Callbacks(&stopAt{epoch: 1, batch: 3, act: func(*Trainer) { cancel() }}))...)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v; want one wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "epoch 2: cancelled before batch 5 of 7") {
		t.Errorf("error %q does not say where it stopped", err)
	}
	if h == nil || len(h.Epochs) != 1 || len(h.Values["loss"]) != 1 || a.Epoch() != 1 {
		t.Fatalf("history %+v, counter %d; want the first epoch only", h, a.Epoch())
	}
	if st := a.Optimizer().State(); st.Step != 11 {
		t.Errorf("%d steps applied, want 11", st.Step)
	}

	b := compile()
	hb, err := b.Fit(x, y, append(opts, Callbacks(&stopAt{epoch: 1, batch: 3, act: (*Trainer).StopTraining}))...)
	if err != nil {
		t.Fatal(err)
	}
	if len(hb.Epochs) != 2 || b.Epoch() != 2 {
		t.Errorf("StopTraining: %v epochs, counter %d; want 2 (the stopped epoch counts)", hb.Epochs, b.Epoch())
	}
	if !sameBits(weightsOf(a), weightsOf(b)) || !sameBits(a.Optimizer().State().Slots["m"], b.Optimizer().State().Slots["m"]) {
		t.Error("the cancelled run's weights or state differ from 11 steps' worth")
	}

	// A context already past its deadline trains nothing.
	c := compile()
	before := weightsOf(c)
	dctx, dcancel := context.WithTimeout(context.Background(), -1)
	defer dcancel()
	h, err = c.FitContext(dctx, x, y, opts...)
	if !errors.Is(err, context.DeadlineExceeded) || len(h.Epochs) != 0 || !sameBits(before, weightsOf(c)) {
		t.Errorf("expired context: %v, %v epochs; want DeadlineExceeded and nothing trained", err, h.Epochs)
	}
	if _, _, err := c.EvaluateContext(dctx, x, y, Verbose(0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Evaluate, expired context: %v", err)
	}
	if _, err := c.PredictContext(dctx, x, Verbose(0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Predict, expired context: %v", err)
	}
	//lint:ignore SA1012 a nil context is what is tested
	if _, err := c.FitContext(nil, x, y, opts...); err == nil {
		t.Error("nil context accepted")
	}
}

// TestConcurrentUse: 8 goroutines predicting different inputs on one
// Trainer get what sequential calls give; then Fit, Predict and a reader
// of the weights under Locked run at once. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	tr, err := Compile(newDropoutMLP(1), RMSprop(), CategoricalCrossentropy(), Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var xs []*tensor.Dense
	var want [][]float32
	for i := 0; i < n; i++ {
		x, _, _ := blobs(20+i*7, 4, uint64(100+i))
		p, err := tr.Predict(x, Verbose(0), BatchSize(8))
		if err != nil {
			t.Fatal(err)
		}
		xs, want = append(xs, x), append(want, p.Data().([]float32))
	}
	var wg sync.WaitGroup
	got := make([][]float32, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				p, err := tr.Predict(xs[i], Verbose(0), BatchSize(8))
				if err != nil {
					errs[i] = err
					return
				}
				got[i] = p.Data().([]float32)
			}
		}(i)
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !sameBits([][]float32{want[i]}, [][]float32{got[i]}) {
			t.Errorf("goroutine %d: concurrent Predict differs from sequential", i)
		}
	}

	// Training, predicting and reading the weights at once: each reader
	// sees whole steps (the race detector checks the rest).
	x, y, _ := blobs(64, 4, 1)
	wg.Add(3)
	var fitErr, predErr error
	go func() { defer wg.Done(); _, fitErr = tr.Fit(x, y, Epochs(3), Verbose(0)) }()
	go func() { defer wg.Done(); _, predErr = tr.Predict(x, Verbose(0)) }()
	var sum float32
	go func() {
		defer wg.Done()
		tr.Locked(func() {
			for _, p := range tr.Params() {
				for _, v := range p.Value.Data().([]float32) {
					sum += v
				}
			}
		})
	}()
	wg.Wait()
	if fitErr != nil || predErr != nil || math.IsNaN(float64(sum)) {
		t.Errorf("concurrent Fit %v, Predict %v, sum %v", fitErr, predErr, sum)
	}
}
