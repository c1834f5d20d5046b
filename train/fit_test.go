package train

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// softmaxRegression is a one-layer network: softmax(x·w + b).
type softmaxRegression struct {
	w, b *tensor.Dense
}

func newSoftmaxRegression(in, out int, seed uint64) *softmaxRegression {
	k := make([]float32, in*out)
	_ = graph.GlorotUniform(graph.NewRand(seed), in, out, k)
	return &softmaxRegression{
		w: tensor.New(tensor.WithShape(in, out), tensor.WithBacking(k)),
		b: tensor.New(tensor.WithShape(out), tensor.WithBacking(make([]float32, out))),
	}
}

func (n *softmaxRegression) Params() []Param {
	return []Param{{"w", n.w, true}, {"b", n.b, true}}
}
func (n *softmaxRegression) Inputs() []TensorSpec {
	return []TensorSpec{{"x", []int{n.w.Shape()[0]}}}
}
func (n *softmaxRegression) Outputs() []TensorSpec {
	return []TensorSpec{{"out", []int{n.w.Shape()[1]}}}
}
func (n *softmaxRegression) Forward(x []*G.Node, p []*G.Node, _ Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	out, err := graph.Softmax(z)
	return []*G.Node{out}, err
}

// blobs returns n rows of in features in 3 separable clusters, with
// one-hot labels.
func blobs(n, in int, seed uint64) (*tensor.Dense, *tensor.Dense, []int) {
	rng := graph.NewRand(seed)
	x := make([]float32, n*in)
	y := make([]float32, n*3)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(3)
		labels[i] = c
		y[i*3+c] = 1
		for j := 0; j < in; j++ {
			x[i*in+j] = float32(rng.NormFloat64()*0.5) + float32(c*(j%3+1)) - 2
		}
	}
	return tensor.New(tensor.WithShape(n, in), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(y)), labels
}

func compiled(t *testing.T, seed uint64, loss Loss) *Trainer {
	t.Helper()
	tr, err := Compile(newSoftmaxRegression(4, 3, seed), RMSprop(), loss, Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestFitLearnsAndCountsSteps(t *testing.T) {
	x, y, _ := blobs(300, 4, 1)
	var out bytes.Buffer
	opt := RMSprop()
	opt.LearningRate = 0.05
	tr, err := Compile(newSoftmaxRegression(4, 3, 1), opt, CategoricalCrossentropy(), Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	h, err := tr.Fit(x, y, Epochs(3), BatchSize(64), Output(&out), Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 || lines[0] != "Epoch 1/3" || !strings.HasPrefix(lines[1], "5/5 [==============================] - ") {
		t.Errorf("progress output:\n%s", out.String())
	}
	loss := h.Values["loss"]
	if len(loss) != 3 || !(loss[2] < loss[0]) {
		t.Errorf("loss per epoch %v, want 3 falling values", loss)
	}
	if acc := h.Values["accuracy"]; acc[2] < 0.9 {
		t.Errorf("accuracy %v, want ≥ 0.9 on separable blobs", acc)
	}
	if strings.Join(h.Names, ",") != "loss,accuracy" || len(h.Epochs) != 3 {
		t.Errorf("history names %v epochs %v", h.Names, h.Epochs)
	}
}

func TestFitIsReproducible(t *testing.T) {
	x, y, _ := blobs(200, 4, 2)
	run := func(seed uint64) []float64 {
		tr := compiled(t, 3, CategoricalCrossentropy())
		h, err := tr.Fit(x, y, Epochs(2), BatchSize(32), Seed(seed), Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		return append(h.Values["loss"], h.Values["accuracy"]...)
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("same seed, different history: %v vs %v", a, b)
		}
	}
	if a[0] == c[0] && a[1] == c[1] {
		t.Errorf("different seeds, same history %v", a)
	}
}

// TestFitMatchesHandWrittenGradientDescent checks one epoch of SGD on a
// softmax regression against the same model trained by hand: the
// gradient of mean cross-entropy is (softmax − y)ᵀ… computed with loops.
func TestFitMatchesHandWrittenGradientDescent(t *testing.T) {
	const n, in, out, batch = 10, 4, 3, 4
	x, y, _ := blobs(n, in, 9)
	net := newSoftmaxRegression(in, out, 4)
	w := append([]float64(nil), f64(net.w.Data().([]float32))...)
	b := make([]float64, out)
	tr, err := Compile(net, SGD(), CategoricalCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(x, y, BatchSize(batch), Shuffle(false), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	xs, ys := f64(x.Data().([]float32)), f64(y.Data().([]float32))
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		gw, gb := make([]float64, in*out), make([]float64, out)
		for r := lo; r < hi; r++ {
			z := make([]float64, out)
			var mx float64 = math.Inf(-1)
			for j := 0; j < out; j++ {
				z[j] = b[j]
				for k := 0; k < in; k++ {
					z[j] += xs[r*in+k] * w[k*out+j]
				}
				mx = math.Max(mx, z[j])
			}
			var s float64
			for j := range z {
				z[j] = math.Exp(z[j] - mx)
				s += z[j]
			}
			for j := 0; j < out; j++ {
				d := (z[j]/s - ys[r*out+j]) / float64(hi-lo)
				gb[j] += d
				for k := 0; k < in; k++ {
					gw[k*out+j] += xs[r*in+k] * d
				}
			}
		}
		for i := range w {
			w[i] -= 0.01 * gw[i]
		}
		for j := range b {
			b[j] -= 0.01 * gb[j]
		}
	}
	for i, v := range net.w.Data().([]float32) {
		if math.Abs(float64(v)-w[i]) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, v, w[i])
		}
	}
	for j, v := range net.b.Data().([]float32) {
		if math.Abs(float64(v)-b[j]) > 1e-6 {
			t.Errorf("b[%d] = %v, want %v", j, v, b[j])
		}
	}
}

func f64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func TestPredictMatchesRowByRow(t *testing.T) {
	x, _, _ := blobs(1000, 4, 3)
	tr := compiled(t, 2, CategoricalCrossentropy())
	all, err := tr.Predict(x, Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if s := all.Shape(); s[0] != 1000 || s[1] != 3 {
		t.Fatalf("shape %v", s)
	}
	got := all.Data().([]float32)
	xs := x.Data().([]float32)
	for _, r := range []int{0, 1, 31, 32, 500, 999} {
		one, err := tr.Predict(tensor.New(tensor.WithShape(1, 4), tensor.WithBacking(append([]float32(nil), xs[r*4:r*4+4]...))), Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range one.Data().([]float32) {
			if math.Abs(float64(v-got[r*3+j])) > 1e-6 {
				t.Errorf("row %d output %d: alone %v, in the batch %v", r, j, v, got[r*3+j])
			}
		}
	}
}

func TestEvaluateMatchesPredict(t *testing.T) {
	x, y, labels := blobs(100, 4, 4)
	tr := compiled(t, 2, CategoricalCrossentropy())
	var out bytes.Buffer
	loss, metrics, err := tr.Evaluate(x, y, Output(&out))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "4/4 [==============================] - ") {
		t.Errorf("progress %q", out.String())
	}
	p, _ := tr.Predict(x, Verbose(0))
	pd := p.Data().([]float32)
	var ce, hits float64
	for i, l := range labels {
		ce -= math.Log(float64(pd[i*3+l]))
		if argmax(pd[i*3:i*3+3]) == l {
			hits++
		}
	}
	if math.Abs(loss-ce/100) > 1e-5 || math.Abs(metrics[0]-hits/100) > 1e-12 {
		t.Errorf("evaluate: loss %v accuracy %v; from predictions: %v %v", loss, metrics[0], ce/100, hits/100)
	}
	// The sparse loss on class indices gives the same numbers.
	trS := compiled(t, 2, SparseCategoricalCrossentropy())
	idx := make([]int, len(labels))
	copy(idx, labels)
	lossS, metricsS, err := trS.Evaluate(x, tensor.New(tensor.WithShape(100), tensor.WithBacking(idx)), Verbose(0))
	if err != nil || lossS != loss || metricsS[0] != metrics[0] {
		t.Errorf("sparse: %v %v %v, want %v %v", lossS, metricsS, err, loss, metrics)
	}
}

func TestValidation(t *testing.T) {
	x, y, _ := blobs(100, 4, 6)
	tr := compiled(t, 1, CategoricalCrossentropy())
	var out bytes.Buffer
	h, err := tr.Fit(x, y, Epochs(2), ValidationSplit(0.2), Output(&out))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.Names, ",") != "loss,accuracy,val_loss,val_accuracy" {
		t.Errorf("names %v", h.Names)
	}
	// 80 training rows in batches of 32: 3 steps.
	if !strings.Contains(out.String(), "3/3 [") || !strings.Contains(out.String(), " - val_accuracy: ") {
		t.Errorf("progress:\n%s", out.String())
	}
	// Validating on the held-out rows gives what Evaluate says of them.
	xv := tensor.New(tensor.WithShape(20, 4), tensor.WithBacking(x.Data().([]float32)[80*4:]))
	yv := tensor.New(tensor.WithShape(20, 3), tensor.WithBacking(y.Data().([]float32)[80*3:]))
	l, _, _ := tr.Evaluate(xv, yv, Verbose(0))
	if vl := h.Values["val_loss"][1]; math.Abs(vl-l) > 1e-6 {
		t.Errorf("val_loss %v, Evaluate on the same rows %v", vl, l)
	}
}

func TestBadInput(t *testing.T) {
	x, y, _ := blobs(10, 4, 1)
	xd := x.Data().([]float32)
	withNaN := append([]float32(nil), xd...)
	withNaN[4*7+2] = float32(math.NaN())
	yd := y.Data().([]float32)
	tests := []struct {
		name string
		loss Loss
		x, y *tensor.Dense
		opts []Option
		want string
	}{
		{"rows differ", CategoricalCrossentropy(), x, tensor.New(tensor.WithShape(9, 3), tensor.WithBacking(yd[:27])), nil, "x has 10 rows but y has 9"},
		{"features", CategoricalCrossentropy(), tensor.New(tensor.WithShape(8, 5), tensor.WithBacking(xd[:40])), y, nil, "x has shape (8, 5); the network takes (rows, 4)"},
		{"images for rows", CategoricalCrossentropy(), tensor.New(tensor.WithShape(10, 2, 2), tensor.WithBacking(xd)), y, nil, "reshape each sample's 4 values to (4)"},
		{"target width", CategoricalCrossentropy(), x, tensor.New(tensor.WithShape(15, 2), tensor.WithBacking(yd[:30])), nil, "y has 2 features per row"},
		{"label too big", SparseCategoricalCrossentropy(), x, tensor.New(tensor.WithShape(10), tensor.WithBacking([]uint8{0, 1, 2, 3, 0, 0, 0, 0, 0, 0})), nil, "label 3 at row 3"},
		{"negative label", SparseCategoricalCrossentropy(), x, tensor.New(tensor.WithShape(10), tensor.WithBacking([]int{0, 1, 2, 0, 0, -1, 0, 0, 0, 0})), nil, "label -1 at row 5"},
		{"NaN input", CategoricalCrossentropy(), tensor.New(tensor.WithShape(10, 4), tensor.WithBacking(withNaN)), y, nil, "x holds NaN at row 7, column 2"},
		{"batch 0", CategoricalCrossentropy(), x, y, []Option{BatchSize(0)}, "batch size must be positive"},
		{"epochs -1", CategoricalCrossentropy(), x, y, []Option{Epochs(-1)}, "epochs must be ≥ 0"},
		{"verbosity", CategoricalCrossentropy(), x, y, []Option{Verbose(3)}, "verbosity"},
		{"split", CategoricalCrossentropy(), x, y, []Option{ValidationSplit(1)}, "validation split"},
		{"nil x", CategoricalCrossentropy(), nil, y, nil, "x is nil"},
		{"string data", CategoricalCrossentropy(), tensor.New(tensor.WithShape(10, 4), tensor.WithBacking(make([]bool, 40))), y, nil, "element type bool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := compiled(t, 1, tc.loss)
			_, err := tr.Fit(tc.x, tc.y, append([]Option{Verbose(0)}, tc.opts...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	net := newSoftmaxRegression(2, 2, 1)
	if _, err := Compile(nil, SGD(), MeanSquaredError()); err == nil {
		t.Error("nil network accepted")
	}
	if _, err := Compile(net, nil, MeanSquaredError()); err == nil {
		t.Error("nil optimizer accepted")
	}
	if _, err := Compile(net, &SGDOptimizer{}, MeanSquaredError()); err == nil || !strings.Contains(err.Error(), "learning rate") {
		t.Errorf("zero learning rate: %v", err)
	}
}

func TestToCategorical(t *testing.T) {
	got, err := ToCategorical(tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{2, 0, 1})), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0, 1, 1, 0, 0, 0, 1, 0}
	for i, v := range got.Data().([]float32) {
		if v != want[i] {
			t.Fatalf("got %v, want %v", got.Data(), want)
		}
	}
	if _, err := ToCategorical(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2.5})), 3); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("fractional label: %v", err)
	}
	if _, err := ToCategorical(tensor.New(tensor.WithShape(1), tensor.WithBacking([]int{0})), 0); err == nil {
		t.Error("0 classes accepted")
	}
}

func TestAccuracy(t *testing.T) {
	pred := []float32{0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.3, 0.3, 0.4}
	target := []float32{0, 1, 0, 0, 1, 0, 0, 0, 1}
	// Row 1 ties at 0 and 1: argmax takes 0, the target is 1: a miss.
	if got := Accuracy().Sum(pred, target, 3, 3); got != 2 {
		t.Errorf("hits %v, want 2", got)
	}
	if got := Accuracy().Sum([]float32{0.7, 0.2, 0.6}, []float32{1, 0, 0}, 3, 1); got != 2 {
		t.Errorf("binary hits %v, want 2", got)
	}
	// One output is binary accuracy, which compares the target exactly:
	// a soft target of 0.8 is never met.
	if got := Accuracy().Sum([]float32{0.9}, []float32{0.8}, 1, 1); got != 0 {
		t.Errorf("soft target: hits %v, want 0", got)
	}
}
