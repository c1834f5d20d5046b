package nn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// nlCase is one layer checked by TestNewLayerGradients: the layer, the
// batch size and the shape of one sample of each input.
type nlCase struct {
	name   string
	layer  Layer
	batch  int
	inputs [][]int
	// training builds the layer's graph in training mode.
	training bool
	// lo and hi bound the inputs' random values; away from 0 keeps ReLU's
	// kink away from the finite differences.
	lo, hi  float64
	awayOf0 bool
}

// nlConcat returns a Concatenate layer along axis.
func nlConcat(axis int) *ConcatenateLayer {
	l := Concatenate()
	l.Axis = axis
	return l
}

// nlBatchNorm returns a BatchNormalization layer with a momentum that
// makes its moving statistics move visibly.
func nlBatchNorm() *BatchNormalizationLayer {
	l := BatchNormalization()
	l.Momentum = 0.8
	return l
}

// nlRandom returns a float64 tensor of the shape, of U(lo, hi) values,
// negated at random when awayOf0 is set.
func nlRandom(rng *rand.Rand, shape []int, lo, hi float64, awayOf0 bool) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
		if awayOf0 && rng.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestNewLayerGradients builds each new layer's Forward on float64 nodes
// and compares the symbolic gradient of a random weighting of its output
// with central finite differences, for every element of every input and
// of every trainable weight.
func TestNewLayerGradients(t *testing.T) {
	var cases []nlCase
	for _, tr := range []bool{true, false} {
		mode := map[bool]string{true: "training", false: "inference"}[tr]
		cases = append(cases,
			nlCase{name: "BatchNormalization vectors " + mode, layer: nlBatchNorm(), batch: 5, inputs: [][]int{{3}}, training: tr, lo: -2, hi: 3},
			nlCase{name: "BatchNormalization images " + mode, layer: nlBatchNorm(), batch: 2, inputs: [][]int{{3, 2, 4}}, training: tr, lo: -1, hi: 2},
			nlCase{name: "BatchNormalization sequences " + mode, layer: nlBatchNorm(), batch: 3, inputs: [][]int{{2, 3}}, training: tr, lo: -1, hi: 2},
		)
	}
	cases = append(cases,
		nlCase{name: "AveragePooling2D valid", layer: AveragePooling2D([2]int{2, 2}), batch: 2, inputs: [][]int{{5, 6, 2}}, lo: -1, hi: 1},
		nlCase{name: "AveragePooling2D valid strides 1x2", layer: AveragePooling2D([2]int{2, 3}, Strides(1, 2)), batch: 2, inputs: [][]int{{4, 7, 2}}, lo: -1, hi: 1},
		nlCase{name: "AveragePooling2D same", layer: AveragePooling2D([2]int{2, 2}, Padding("same")), batch: 2, inputs: [][]int{{5, 5, 2}}, lo: -1, hi: 1},
		nlCase{name: "AveragePooling2D same 3x3 strides 2", layer: AveragePooling2D([2]int{3, 3}, Strides(2, 2), Padding("same")), batch: 2, inputs: [][]int{{6, 5, 1}}, lo: -1, hi: 1},
		nlCase{name: "AveragePooling2D same overlapping", layer: AveragePooling2D([2]int{3, 2}, Strides(1, 1), Padding("same")), batch: 1, inputs: [][]int{{4, 3, 2}}, lo: -1, hi: 1},
		nlCase{name: "GlobalAveragePooling2D", layer: GlobalAveragePooling2D(), batch: 2, inputs: [][]int{{3, 4, 2}}, lo: -1, hi: 1},
		nlCase{name: "Activation relu", layer: Activate(ReLU), batch: 2, inputs: [][]int{{3, 4}}, lo: 0.1, hi: 1, awayOf0: true},
		nlCase{name: "Activation sigmoid", layer: Activate(Sigmoid), batch: 2, inputs: [][]int{{3, 4}}, lo: -3, hi: 3},
		nlCase{name: "Activation tanh", layer: Activate(Tanh), batch: 2, inputs: [][]int{{3, 4}}, lo: -3, hi: 3},
		nlCase{name: "Activation softmax", layer: Activate(Softmax), batch: 3, inputs: [][]int{{5}}, lo: -3, hi: 3},
		nlCase{name: "Activation linear", layer: Activate(Linear), batch: 2, inputs: [][]int{{3, 4}}, lo: -3, hi: 3},
		nlCase{name: "Activation zero value", layer: Activate(Activation{}), batch: 2, inputs: [][]int{{3}}, lo: -3, hi: 3},
		nlCase{name: "Reshape", layer: Reshape([]int{3, 4}), batch: 2, inputs: [][]int{{2, 6}}, lo: -1, hi: 1},
		nlCase{name: "Reshape -1", layer: Reshape([]int{-1, 2}), batch: 2, inputs: [][]int{{2, 3, 2}}, lo: -1, hi: 1},
		nlCase{name: "Reshape flat", layer: Reshape([]int{12}), batch: 2, inputs: [][]int{{3, 2, 2}}, lo: -1, hi: 1},
		nlCase{name: "Add two", layer: Add(), batch: 3, inputs: [][]int{{4}, {4}}, lo: -1, hi: 1},
		nlCase{name: "Add three images", layer: Add(), batch: 2, inputs: [][]int{{2, 2, 3}, {2, 2, 3}, {2, 2, 3}}, lo: -1, hi: 1},
		nlCase{name: "Multiply two", layer: Multiply(), batch: 3, inputs: [][]int{{4}, {4}}, lo: -2, hi: 2},
		nlCase{name: "Multiply three images", layer: Multiply(), batch: 2, inputs: [][]int{{2, 2, 3}, {2, 2, 3}, {2, 2, 3}}, lo: -2, hi: 2},
		nlCase{name: "Concatenate axis -1", layer: Concatenate(), batch: 3, inputs: [][]int{{2}, {4}}, lo: -1, hi: 1},
		nlCase{name: "Concatenate axis -1 images", layer: Concatenate(), batch: 2, inputs: [][]int{{2, 3, 1}, {2, 3, 2}, {2, 3, 1}}, lo: -1, hi: 1},
		nlCase{name: "Concatenate axis 1", layer: nlConcat(1), batch: 2, inputs: [][]int{{2, 3, 2}, {1, 3, 2}}, lo: -1, hi: 1},
		nlCase{name: "Concatenate axis 2", layer: nlConcat(2), batch: 2, inputs: [][]int{{2, 1, 2}, {2, 3, 2}}, lo: -1, hi: 1},
		nlCase{name: "Concatenate axis -2", layer: nlConcat(-2), batch: 2, inputs: [][]int{{3, 2}, {1, 2}}, lo: -1, hi: 1},
		nlCase{name: "Permute matrices", layer: Permute([]int{2, 1}), batch: 2, inputs: [][]int{{3, 4}}, lo: -1, hi: 1},
		nlCase{name: "Permute images to channels first", layer: Permute([]int{3, 1, 2}), batch: 2, inputs: [][]int{{3, 2, 4}}, lo: -1, hi: 1},
		nlCase{name: "Permute images to channels last", layer: Permute([]int{2, 3, 1}), batch: 2, inputs: [][]int{{4, 3, 2}}, lo: -1, hi: 1},
		nlCase{name: "Permute identity", layer: Permute([]int{1, 2}), batch: 2, inputs: [][]int{{2, 3}}, lo: -1, hi: 1},
		nlCase{name: "ZeroPadding2D", layer: ZeroPadding2D([2][2]int{{1, 2}, {0, 3}}), batch: 2, inputs: [][]int{{3, 2, 2}}, lo: -1, hi: 1},
		nlCase{name: "ZeroPadding2D rows only", layer: ZeroPadding2D([2][2]int{{2, 0}, {0, 0}}), batch: 3, inputs: [][]int{{2, 3, 1}}, lo: -1, hi: 1},
		nlCase{name: "ZeroPadding2D none", layer: ZeroPadding2D([2][2]int{}), batch: 2, inputs: [][]int{{2, 2, 2}}, lo: -1, hi: 1},
		nlCase{name: "Subtract vectors", layer: Subtract(), batch: 3, inputs: [][]int{{4}, {4}}, lo: -1, hi: 1},
		nlCase{name: "Subtract images", layer: Subtract(), batch: 2, inputs: [][]int{{2, 2, 3}, {2, 2, 3}}, lo: -1, hi: 1},
		nlCase{name: "Activation log_softmax", layer: Activate(LogSoftmax), batch: 3, inputs: [][]int{{5}}, lo: -3, hi: 3},
		nlCase{name: "Dense log_softmax", layer: Dense(4, LogSoftmax), batch: 3, inputs: [][]int{{3}}, lo: -2, hi: 2},
		nlCase{name: "Dense linear", layer: Dense(4, Linear), batch: 3, inputs: [][]int{{3}}, lo: -2, hi: 2},
		nlCase{name: "Dense softmax", layer: Dense(4, Softmax), batch: 3, inputs: [][]int{{3}}, lo: -2, hi: 2},
		nlCase{name: "Dense tanh", layer: Dense(4, Tanh), batch: 3, inputs: [][]int{{3}}, lo: -2, hi: 2},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { nlCheckGradients(t, tc) })
	}
}

// nlCheckGradients runs one case of TestNewLayerGradients.
func nlCheckGradients(t *testing.T, tc nlCase) {
	rng := rand.New(rand.NewPCG(3, 5))
	p, err := plan(tc.layer, tc.inputs)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	g := G.NewGraph()
	var (
		values []*tensor.Dense // every leaf checked, inputs first
		leaves []*G.Node
		names  []string
	)
	inputs := make([]*G.Node, len(tc.inputs))
	for i, s := range tc.inputs {
		v := nlRandom(rng, append([]int{tc.batch}, s...), tc.lo, tc.hi, tc.awayOf0)
		leaf := G.NodeFromAny(g, v, G.WithName("x"+string(rune('0'+i))))
		// The layer's input is computed by an op, as in a model, so that
		// ops that build their input's gradient only then (BatchNorm)
		// build it.
		in, err := G.Mul(leaf, G.NewConstant(1.0))
		if err != nil {
			t.Fatal(err)
		}
		inputs[i] = in
		values, leaves, names = append(values, v), append(leaves, leaf), append(names, "input "+string(rune('0'+i)))
	}
	weights := make([]*G.Node, len(p.Weights))
	for i, w := range p.Weights {
		lo, hi := -1.0, 1.0
		if w.Name == "moving_variance" {
			lo, hi = 0.5, 1.5
		}
		v := nlRandom(rng, w.Shape, lo, hi, false)
		weights[i] = G.NodeFromAny(g, v, G.WithName(w.Name))
		if w.Trainable {
			values, leaves, names = append(values, v), append(leaves, weights[i]), append(names, w.Name)
		}
	}
	mode := train.Mode{Training: tc.training, Rand: rand.New(rand.NewPCG(1, 1))}
	out, err := tc.layer.Forward(inputs, weights, mode)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	if want := append([]int{tc.batch}, p.Output...); !slices.Equal(out.Shape(), want) {
		t.Fatalf("output shape %v, Plan says %v", out.Shape(), want)
	}
	r := nlRandom(rng, out.Shape(), -1, 1, false)
	rn := G.NodeFromAny(g, r, G.WithName("r"))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
	grads, err := G.Grad(cost, leaves...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	var costVal G.Value
	G.Read(cost, &costVal)
	gradVals := make([]G.Value, len(grads))
	for i := range grads {
		G.Read(grads[i], &gradVals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() float64 {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatalf("RunAll: %v", err)
		}
		return costVal.Data().(float64)
	}
	run()
	// Every gradient is read now, at the unperturbed point: the runs
	// below overwrite them, the last with an input still off by −eps.
	analytics := make([][]float64, len(gradVals))
	for i, gv := range gradVals {
		analytics[i] = slices.Clone(gv.Data().([]float64))
	}
	const eps, tol = 1e-6, 1e-6
	for i, v := range values {
		analytic := analytics[i]
		data := v.Data().([]float64)
		for j := range data {
			orig := data[j]
			data[j] = orig + eps
			up := run()
			data[j] = orig - eps
			down := run()
			data[j] = orig
			numeric := (up - down) / (2 * eps)
			if d := math.Abs(numeric - analytic[j]); d > tol*math.Max(1, math.Abs(numeric)) {
				t.Errorf("%s element %d: gradient %.10g, finite difference %.10g", names[i], j, analytic[j], numeric)
			}
		}
	}
}

// nlRun builds the layer's Forward on float64 inputs x, without weights,
// runs it once and returns its output's values.
func nlRun(t *testing.T, l Layer, x *tensor.Dense) []float64 {
	t.Helper()
	g := G.NewGraph()
	in := G.NodeFromAny(g, x, G.WithName("x"))
	out, err := l.Forward([]*G.Node{in}, nil, train.Mode{})
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return slices.Clone(out.Value().Data().([]float64))
}

// nlAvgPool is TensorFlow's average pooling, naively: under same padding
// the output is ⌈size/stride⌉ and the padding, (out−1)·stride + pool −
// size, goes half before (rounded down), half after; each window averages
// the input positions it covers, the padding not counted.
func nlAvgPool(x []float64, b, h, w, c int, pool, strides [2]int, same bool) (y []float64, oh, ow int) {
	var padT, padL int
	if same {
		oh, ow = (h+strides[0]-1)/strides[0], (w+strides[1]-1)/strides[1]
		padT = max((oh-1)*strides[0]+pool[0]-h, 0) / 2
		padL = max((ow-1)*strides[1]+pool[1]-w, 0) / 2
	} else {
		oh, ow = (h-pool[0])/strides[0]+1, (w-pool[1])/strides[1]+1
	}
	y = make([]float64, b*oh*ow*c)
	for n := range b {
		for i := range oh {
			for j := range ow {
				for k := range c {
					sum, count := 0.0, 0
					for di := range pool[0] {
						for dj := range pool[1] {
							r, s := i*strides[0]-padT+di, j*strides[1]-padL+dj
							if r < 0 || r >= h || s < 0 || s >= w {
								continue
							}
							sum += x[((n*h+r)*w+s)*c+k]
							count++
						}
					}
					y[((n*oh+i)*ow+j)*c+k] = sum / float64(count)
				}
			}
		}
	}
	return y, oh, ow
}

// TestAveragePooling2DValues compares AveragePooling2D's output with a
// naive loop, under valid and same padding (TensorFlow's: the padding is
// not counted in a window's mean).
func TestAveragePooling2DValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		pool, strides [2]int
		same          bool
		h, w          int
	}{
		{[2]int{2, 2}, [2]int{2, 2}, true, 5, 5},
		{[2]int{3, 3}, [2]int{2, 2}, true, 6, 5},
		{[2]int{3, 3}, [2]int{1, 1}, true, 4, 4},
		{[2]int{2, 3}, [2]int{3, 1}, true, 7, 4},
		{[2]int{4, 4}, [2]int{1, 1}, true, 3, 3},
		{[2]int{2, 2}, [2]int{2, 2}, false, 5, 5},
		{[2]int{2, 3}, [2]int{1, 2}, false, 4, 7},
	} {
		const b, c = 2, 3
		padding := map[bool]string{true: "same", false: "valid"}[tc.same]
		l := AveragePooling2D(tc.pool, Strides(tc.strides[0], tc.strides[1]), Padding(padding))
		x := nlRandom(rng, []int{b, tc.h, tc.w, c}, -1, 1, false)
		want, oh, ow := nlAvgPool(x.Data().([]float64), b, tc.h, tc.w, c, tc.pool, tc.strides, tc.same)
		p, err := plan(l, [][]int{{tc.h, tc.w, c}})
		if err != nil {
			t.Fatalf("pool %v strides %v %s on %dx%d: %v", tc.pool, tc.strides, padding, tc.h, tc.w, err)
		}
		if !slices.Equal(p.Output, []int{oh, ow, c}) {
			t.Errorf("pool %v strides %v %s on %dx%d: Plan gives %v, want (%d, %d, %d)", tc.pool, tc.strides, padding, tc.h, tc.w, p.Output, oh, ow, c)
			continue
		}
		got := nlRun(t, l, x)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("pool %v strides %v %s on %dx%d: output %d is %v, want %v", tc.pool, tc.strides, padding, tc.h, tc.w, i, got[i], want[i])
				break
			}
		}
	}
}

// nlRoundTrip compiles m (SGD, the mean squared error), trains it for
// two epochs on x and y, saves and loads it, and checks that the loaded
// model has the same weights and summary and predicts the same values,
// bit for bit. It returns the loaded model.
func nlRoundTrip(t *testing.T, m *Model, x, y *tensor.Dense) *Model {
	t.Helper()
	if err := m.Build(5); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizer(t, "sgd", map[string]float64{"learning_rate": 0.05}), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(x, y, train.Epochs(2), train.BatchSize(4), train.Seed(3), train.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	got := reloaded(t, m)
	sameWeights(t, m, got)
	if got.Summary() != m.Summary() {
		t.Errorf("loaded summary\n%s\nwant\n%s", got.Summary(), m.Summary())
	}
	if err := got.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	pa, err := m.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := got.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range pa.Data().([]float32) {
		if w := pb.Data().([]float32)[i]; math.Float32bits(v) != math.Float32bits(w) {
			t.Fatalf("the loaded model predicts %v at %d, want %v", w, i, v)
		}
	}
	return got
}

// nlSummaryHas fails the test unless m's summary holds every line of
// want.
func nlSummaryHas(t *testing.T, m *Model, want ...string) {
	t.Helper()
	s := m.Summary()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
}

// nlConfigError makes a layer of the kind from a saved config and fails
// the test unless that is an error mentioning want.
func nlConfigError(t *testing.T, kind, config, want string) {
	t.Helper()
	l, err := layerJSON{ClassName: kind, Config: json.RawMessage(config)}.make()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s %s: got %v, %v; want an error mentioning %q", kind, config, l, err, want)
	}
}
