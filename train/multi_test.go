package train

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// twoHeads has two inputs and two outputs: "cls" = softmax(x1·w1 + b1),
// three classes from 4 features, and "reg" = x2·w2 + c, two values from
// 3 features, whose bias c is not trainable.
type twoHeads struct {
	cls *softmaxRegression
	w2  *tensor.Dense
	c   *tensor.Dense
}

func newTwoHeads(seed uint64) *twoHeads {
	k := make([]float32, 3*2)
	_ = graph.GlorotUniform(graph.NewRand(seed+1), 3, 2, k)
	return &twoHeads{
		cls: newSoftmaxRegression(4, 3, seed),
		w2:  tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(k)),
		c:   tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -0.25})),
	}
}

func (n *twoHeads) Params() []Param {
	return append(n.cls.Params(), Param{"w2", n.w2, true}, Param{"c", n.c, false})
}
func (n *twoHeads) Inputs() []TensorSpec {
	return []TensorSpec{{"x1", []int{4}}, {"x2", []int{3}}}
}
func (n *twoHeads) Outputs() []TensorSpec {
	return []TensorSpec{{"cls", []int{3}}, {"reg", []int{2}}}
}
func (n *twoHeads) Forward(x []*G.Node, p []*G.Node, m Mode) ([]*G.Node, error) {
	cls, err := n.cls.Forward(x[:1], p[:2], m)
	if err != nil {
		return nil, err
	}
	reg, err := graph.Dense(x[1], p[2], p[3])
	return []*G.Node{cls[0], reg}, err
}

// regression is the "reg" head of twoHeads alone, sharing its tensors.
type regression struct{ *twoHeads }

func (n regression) Params() []Param      { return n.twoHeads.Params()[2:] }
func (n regression) Inputs() []TensorSpec { return n.twoHeads.Inputs()[1:] }
func (n regression) Outputs() []TensorSpec {
	return n.twoHeads.Outputs()[1:]
}
func (n regression) Forward(x []*G.Node, p []*G.Node, _ Mode) ([]*G.Node, error) {
	reg, err := graph.Dense(x[0], p[0], p[1])
	return []*G.Node{reg}, err
}

// twoHeadData returns n rows for twoHeads: blobs for cls, and for reg
// targets that are a linear function of x2 plus noise.
func twoHeadData(n int, seed uint64) (xs, ys []*tensor.Dense) {
	x1, y1, _ := blobs(n, 4, seed)
	rng := graph.NewRand(seed + 7)
	x2, y2 := make([]float32, n*3), make([]float32, n*2)
	for i := range n {
		for j := range 3 {
			x2[i*3+j] = float32(rng.NormFloat64())
		}
		y2[i*2] = x2[i*3] - 2*x2[i*3+1] + float32(0.1*rng.NormFloat64())
		y2[i*2+1] = 0.5*x2[i*3+2] + 1
	}
	return []*tensor.Dense{x1, tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x2))},
		[]*tensor.Dense{y1, tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(y2))}
}

func twoHeadObjectives() []Objective {
	return []Objective{
		{Loss: CategoricalCrossentropy(), Metrics: []Metric{Accuracy()}},
		{Loss: MeanSquaredError(), Weight: 0.5},
	}
}

func TestMultiOutputNames(t *testing.T) {
	tr, err := CompileObjectives(newTwoHeads(1), RMSprop(), twoHeadObjectives()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"loss", "cls_loss", "reg_loss", "cls_accuracy"}
	if got := tr.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	xs, ys := twoHeadData(64, 2)
	h, err := tr.FitMulti(context.Background(), xs, ys, Epochs(2), BatchSize(16), Verbose(0), ValidationDataMulti(xs, ys))
	if err != nil {
		t.Fatal(err)
	}
	wantH := append(want, "val_loss", "val_cls_loss", "val_reg_loss", "val_cls_accuracy")
	if !slices.Equal(h.Names, wantH) {
		t.Errorf("History names %q, want %q", h.Names, wantH)
	}
	for e := range 2 {
		total := h.Values["val_cls_loss"][e] + 0.5*h.Values["val_reg_loss"][e]
		if got := h.Values["val_loss"][e]; math.Abs(got-total) > 1e-5 {
			t.Errorf("epoch %d: val_loss %v, want val_cls_loss + 0.5·val_reg_loss = %v", e, got, total)
		}
	}
}

// TestMultiEvaluateByHand computes each output's loss and metric from
// PredictMulti's outputs in float64 and compares them with EvaluateMulti.
func TestMultiEvaluateByHand(t *testing.T) {
	tr, err := CompileObjectives(newTwoHeads(3), RMSprop(), twoHeadObjectives()...)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := twoHeadData(50, 4)
	ctx := context.Background()
	if _, err := tr.FitMulti(ctx, xs, ys, Epochs(1), BatchSize(8), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	outs, err := tr.PredictMulti(ctx, xs, Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	p, y1 := outs[0].Float32s(), ys[0].Float32s()
	r, y2 := outs[1].Float32s(), ys[1].Float32s()
	var cls, reg, acc float64
	for i := range 50 {
		best, truth := 0, 0
		for j := range 3 {
			cls -= float64(y1[i*3+j]) * math.Log(float64(p[i*3+j]))
			if p[i*3+j] > p[i*3+best] {
				best = j
			}
			if y1[i*3+j] > y1[i*3+truth] {
				truth = j
			}
		}
		if best == truth {
			acc++
		}
		for j := range 2 {
			d := float64(r[i*2+j]) - float64(y2[i*2+j])
			reg += d * d / 2
		}
	}
	cls, reg, acc = cls/50, reg/50, acc/50
	loss, rest, err := tr.EvaluateMulti(ctx, xs, ys, BatchSize(7), Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{cls + 0.5*reg, cls, reg, acc}
	got := append([]float64{loss}, rest...)
	for i, name := range tr.Names() {
		if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s = %v, computed by hand %v", name, got[i], want[i])
		}
	}
}

// TestMultiTrainsLikeSeparateHeads trains the two heads together with
// plain SGD, the regression's loss weighted by 0.5, and each head alone:
// the heads share no weight, so the weighted sum's gradient is each
// head's own, and training the regression alone at half the learning
// rate gives the same weights, bit for bit. The bias c, not trainable,
// never moves, and the optimizer keeps state for trainable weights only.
func TestMultiTrainsLikeSeparateHeads(t *testing.T) {
	xs, ys := twoHeadData(80, 5)
	ctx := context.Background()
	sgd := func(lr float32) Optimizer {
		o := SGD()
		o.LearningRate = lr
		o.Momentum = 0.5
		return o
	}
	both := newTwoHeads(9)
	tr, err := CompileObjectives(both, sgd(0.1), twoHeadObjectives()...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.FitMulti(ctx, xs, ys, Epochs(3), BatchSize(16), Shuffle(false), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if got := len(tr.Optimizer().State().Slots["m"]); got != 3 {
		t.Errorf("optimizer state for %d weights, want the 3 trainable ones", got)
	}
	alone := newTwoHeads(9)
	trCls, err := Compile(alone.cls, sgd(0.1), CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trCls.Fit(xs[0], ys[0], Epochs(3), BatchSize(16), Shuffle(false), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	trReg, err := Compile(regression{alone}, sgd(0.05), MeanSquaredError())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trReg.Fit(xs[1], ys[1], Epochs(3), BatchSize(16), Shuffle(false), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for i, p := range both.Params() {
		q := alone.Params()[i]
		if !slices.Equal(p.Value.Float32s(), q.Value.Float32s()) {
			t.Errorf("%s: trained together %v, alone %v", p.Name, p.Value.Float32s(), q.Value.Float32s())
		}
	}
	if c := both.c.Float32s(); c[0] != 0.5 || c[1] != -0.25 {
		t.Errorf("the non-trainable bias moved: %v", c)
	}
}

// TestOutputWithoutLoss leaves the regression head out: its weights do
// not move, its targets may be nil, and only the classifier is reported.
func TestOutputWithoutLoss(t *testing.T) {
	net := newTwoHeads(2)
	before := slices.Clone(net.w2.Float32s())
	tr, err := CompileObjectives(net, Adam(), Objective{Loss: CategoricalCrossentropy(), Metrics: []Metric{Accuracy()}}, Objective{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"loss", "cls_loss", "cls_accuracy"}; !slices.Equal(tr.Names(), want) {
		t.Errorf("Names() = %q, want %q", tr.Names(), want)
	}
	xs, ys := twoHeadData(40, 3)
	h, err := tr.FitMulti(context.Background(), xs, []*tensor.Dense{ys[0], nil}, Epochs(2), BatchSize(8), Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(net.w2.Float32s(), before) {
		t.Errorf("the regression head's kernel moved without a loss: %v, was %v", net.w2.Float32s(), before)
	}
	if l := h.Values["loss"]; len(l) != 2 || l[1] >= l[0] {
		t.Errorf("loss %v: want 2 epochs, falling", l)
	}
}

func TestMultiErrors(t *testing.T) {
	xs, ys := twoHeadData(20, 1)
	tr, err := CompileObjectives(newTwoHeads(1), RMSprop(), twoHeadObjectives()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	short, _ := twoHeadData(19, 1)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"Fit", func() error { _, err := tr.Fit(xs[0], ys[0], Verbose(0)); return err }(), "2 inputs and 2 outputs; give one tensor for each with FitMulti"},
		{"Evaluate", func() error { _, _, err := tr.Evaluate(xs[0], ys[0], Verbose(0)); return err }(), "EvaluateMulti"},
		{"Predict", func() error { _, err := tr.Predict(xs[0], Verbose(0)); return err }(), "PredictMulti"},
		{"one input", func() error { _, err := tr.FitMulti(ctx, xs[:1], ys, Verbose(0)); return err }(), "1 input tensors for a network of 2 inputs"},
		{"rows", func() error {
			_, err := tr.FitMulti(ctx, []*tensor.Dense{xs[0], short[1]}, ys, Verbose(0))
			return err
		}(), "x[1] (x2) has 19 rows but x[0] (x1) has 20"},
		{"target rows", func() error {
			_, _, err := tr.EvaluateMulti(ctx, xs, []*tensor.Dense{ys[0], tensor.New(tensor.WithShape(19, 2), tensor.WithBacking(make([]float32, 38)))}, Verbose(0))
			return err
		}(), "x[0] (x1) has 20 rows but y[1] (reg) has 19"},
		{"target width", func() error {
			_, err := tr.FitMulti(ctx, xs, []*tensor.Dense{ys[0], ys[0]}, Verbose(0))
			return err
		}(), "y[1] (reg)"},
		{"missing target", func() error { _, err := tr.FitMulti(ctx, xs, []*tensor.Dense{ys[0], nil}, Verbose(0)); return err }(), "y[1] (reg): y is nil"},
		{"objectives", func() error {
			_, err := CompileObjectives(newTwoHeads(1), RMSprop(), twoHeadObjectives()[0])
			return err
		}(), "1 objectives for 2 outputs"},
		{"weight", func() error {
			_, err := CompileObjectives(newTwoHeads(1), RMSprop(), Objective{Loss: MeanSquaredError(), Weight: -1}, Objective{})
			return err
		}(), "output 0: loss weight -1"},
		{"no loss", func() error {
			_, err := CompileObjectives(newTwoHeads(1), RMSprop(), Objective{}, Objective{})
			return err
		}(), "no output has a loss"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, c.err, c.want)
		}
	}
}
