package nn

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/internal/npz"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fnModel returns the model NewModel makes of inputs and outputs, or
// fails the test.
func fnModel(t testing.TB, inputs []*Tensor, outputs ...*Tensor) *Model {
	t.Helper()
	m, err := NewModel(inputs, outputs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fnSameHistory fails the test unless got and want hold the same names,
// epochs and values, bit for bit.
func fnSameHistory(t *testing.T, got, want *train.History) {
	t.Helper()
	if !slices.Equal(got.Names, want.Names) || !slices.Equal(got.Epochs, want.Epochs) || len(got.Values) != len(want.Values) {
		t.Fatalf("History of %q epochs %v, want %q epochs %v", got.Names, got.Epochs, want.Names, want.Epochs)
	}
	for _, name := range want.Names {
		g, w := got.Values[name], want.Values[name]
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, want %d", name, len(g), len(w))
		}
		for i := range w {
			if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
				t.Errorf("%s[%d] = %v, want %v", name, i, g[i], w[i])
			}
		}
	}
}

// fnJoined returns the History of a run of a then b.
func fnJoined(a, b *train.History) *train.History {
	h := &train.History{Epochs: append(slices.Clone(a.Epochs), b.Epochs...), Names: a.Names, Values: map[string][]float64{}}
	for _, name := range a.Names {
		h.Values[name] = append(slices.Clone(a.Values[name]), b.Values[name]...)
	}
	return h
}

// fnPredictMulti returns each output of m on xs, as float32s.
func fnPredictMulti(t *testing.T, m *Model, xs ...*tensor.Dense) [][]float32 {
	t.Helper()
	ps, err := m.PredictMulti(context.Background(), xs, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = p.Data().([]float32)
	}
	return out
}

// TestFunctionalEqualsSequential builds networks as a Sequential and with
// the functional API, from the same seed: the same weights, the same
// History of two epochs of training (with dropout, shuffling and
// validation), the same weights and optimizer state after it, and the
// same predictions, all bit for bit.
func TestFunctionalEqualsSequential(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sequential func() *Model
		functional func(t *testing.T) *Model
		shape      []int
	}{
		{"mlp with dropout", smallMLP, func(t *testing.T) *Model {
			x := Input(4)
			h := Dropout(0.2).Call(Dense(8, ReLU).Call(x))
			return fnModel(t, []*Tensor{x}, Dense(3, Softmax).Call(h))
		}, []int{4}},
		{"convnet", smallConvnet, func(t *testing.T) *Model {
			x := Input(6, 6, 1)
			h := Conv2D(4, [2]int{3, 3}, ReLU, Padding("same")).Call(x)
			h = MaxPooling2D([2]int{2, 2}).Call(h)
			h = Conv2D(3, [2]int{2, 2}, ReLU, Strides(1, 1)).Call(h)
			h = Flatten().Call(Dropout(0.1).Call(h))
			return fnModel(t, []*Tensor{x}, Dense(3, Softmax).Call(h))
		}, []int{6, 6, 1}},
		{"batch normalisation", func() *Model {
			return NewSequential(
				Conv2D(3, [2]int{2, 2}, Linear, InputShape(5, 5, 2)),
				BatchNormalization(),
				Activate(ReLU),
				AveragePooling2D([2]int{2, 2}, Padding("same")),
				GlobalAveragePooling2D(),
				Dense(3, Softmax),
			)
		}, func(t *testing.T) *Model {
			x := Input(5, 5, 2)
			h := BatchNormalization().Call(Conv2D(3, [2]int{2, 2}, Linear).Call(x))
			h = AveragePooling2D([2]int{2, 2}, Padding("same")).Call(Activate(ReLU).Call(h))
			return fnModel(t, []*Tensor{x}, Dense(3, Softmax).Call(GlobalAveragePooling2D().Call(h)))
		}, []int{5, 5, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq, fn := built(t, tc.sequential(), 1), built(t, tc.functional(t), 1)
			sameWeights(t, seq, fn)
			if len((network{fn}).Params()) == 0 {
				t.Fatal("no weights to compare")
			}
			for _, m := range []*Model{seq, fn} {
				if err := m.Compile(optimizer(t, "adam", map[string]float64{"learning_rate": 0.01}), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
					t.Fatal(err)
				}
			}
			x, y := blobs(t, 30, 3, tc.shape...)
			xv, yv := blobs(t, 7, 3, tc.shape...)
			fit := func(m *Model) *train.History {
				h, err := m.Fit(x, y, train.Epochs(2), train.BatchSize(8), train.Seed(3), train.Verbose(0), train.ValidationData(xv, yv))
				if err != nil {
					t.Fatal(err)
				}
				return h
			}
			hs, hf := fit(seq), fit(fn)
			fnSameHistory(t, hf, hs)
			if !slices.Equal(hs.Names, []string{"loss", "accuracy", "val_loss", "val_accuracy"}) || len(hs.Epochs) != 2 {
				t.Errorf("History %q of epochs %v, want loss, accuracy and their val_ of 2 epochs", hs.Names, hs.Epochs)
			}
			sameWeights(t, seq, fn)
			sameState(t, seq, fn)
			ps, pf := fnPredict(t, seq, x), fnPredict(t, fn, x)
			fnSameFloats(t, "predictions", pf, ps)
			// Training moved the weights away from the built ones.
			if fresh := built(t, tc.sequential(), 1); reflect.DeepEqual((network{fresh}).Params()[0].Value.Data(), (network{fn}).Params()[0].Value.Data()) {
				t.Error("two epochs left the first weight as built: the comparison shows nothing")
			}
		})
	}
}

// fnTwoBranches is the model of TestFunctionalSummaryMatchesKeras: two
// inputs through a shared Dense, concatenated, and two outputs, one
// after a batch normalisation.
func fnTwoBranches(t testing.TB) *Model {
	in1, in2 := Input(4), Input(4)
	shared := Dense(3, ReLU)
	c := Concatenate().Call(shared.Call(in1), shared.Call(in2))
	out1 := Dense(2, Softmax).Call(BatchNormalization().Call(c))
	out2 := Dense(1, Sigmoid).Call(c)
	return fnModel(t, []*Tensor{in1, in2}, out1, out2)
}

// TestFunctionalSummaryMatchesKeras compares the summary with Keras 2's
// print_summary of a functional model (line_length 98, positions .33,
// .55, .67, 1: stops at 32, 53, 65 and 98), spaces and all. The counts,
// by hand: dense 4·3+3 = 15, called twice but counted once; the batch
// normalisation 4·6 = 24, of which gamma and beta (12) train and the
// moving mean and variance (12) do not; dense_1 6·2+2 = 14; dense_2
// 6·1+1 = 7. Total 60, trainable 48, non-trainable 12.
func TestFunctionalSummaryMatchesKeras(t *testing.T) {
	want := `Model: "model"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
input_1 (InputLayer)            (None, 4)            0                                            
__________________________________________________________________________________________________
input_2 (InputLayer)            (None, 4)            0                                            
__________________________________________________________________________________________________
dense (Dense)                   (None, 3)            15          input_1[0][0]                    
                                                                 input_2[0][0]                    
__________________________________________________________________________________________________
concatenate (Concatenate)       (None, 6)            0           dense[0][0]                      
                                                                 dense[1][0]                      
__________________________________________________________________________________________________
batch_normalization (BatchNorma (None, 6)            24          concatenate[0][0]                
__________________________________________________________________________________________________
dense_1 (Dense)                 (None, 2)            14          batch_normalization[0][0]        
__________________________________________________________________________________________________
dense_2 (Dense)                 (None, 1)            7           concatenate[0][0]                
==================================================================================================
Total params: 60
Trainable params: 48
Non-trainable params: 12
__________________________________________________________________________________________________
`
	m := fnTwoBranches(t)
	if got := m.Summary(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Summary works before Build and does not build; the summary of the
	// built model, and of the model saved and loaded, is the same.
	if m.Built() {
		t.Error("Summary built the model")
	}
	built(t, m, 2)
	if got := m.Summary(); got != want {
		t.Errorf("after Build:\n%s\nwant\n%s", got, want)
	}
	if got := reloaded(t, m).Summary(); got != want {
		t.Errorf("after Save and Load:\n%s\nwant\n%s", got, want)
	}
	// The counts are the weights' sizes.
	total := 0
	for _, p := range (network{m}).Params() {
		total += p.Value.Shape().TotalSize()
	}
	if total != 60 {
		t.Errorf("the weights hold %d values, the summary says 60", total)
	}
}

// TestFunctionalSharedLayer calls one Dense on two inputs: the model has one set of
// weights, which both calls use (the two halves of the output agree on
// equal inputs and match a hand computation), counted once; the summary
// connects the layer to both inputs; and the model saved and loaded
// predicts the same and still shares the layer.
func TestFunctionalSharedLayer(t *testing.T) {
	in1, in2 := Input(4), Input(4)
	shared := Dense(3, Tanh)
	out := Concatenate().Call(shared.Call(in1), shared.Call(in2))
	m := fnModel(t, []*Tensor{in1, in2}, out)
	var names []string
	for _, l := range m.Layers() {
		names = append(names, l.Name()+" "+l.Kind())
	}
	if want := []string{"input_1 InputLayer", "input_2 InputLayer", "dense Dense", "concatenate Concatenate"}; !slices.Equal(names, want) {
		t.Errorf("layers %q, want %q", names, want)
	}
	s := m.Summary()
	for _, want := range []string{
		"dense (Dense)                   (None, 3)            15          input_1[0][0]                    \n" +
			strings.Repeat(" ", 65) + "input_2[0][0]                    \n",
		"concatenate (Concatenate)       (None, 6)            0           dense[0][0]                      \n" +
			strings.Repeat(" ", 65) + "dense[1][0]                      \n",
		"Total params: 15\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	built(t, m, 4)
	if err := m.Compile(train.RMSprop(), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	var params []string
	for _, p := range (network{m}).Params() {
		params = append(params, p.Name)
	}
	if !slices.Equal(params, []string{"dense/kernel", "dense/bias"}) {
		t.Errorf("weights %q, want one kernel and one bias", params)
	}

	rng := graph.NewRand(5)
	const n = 5
	a, b := make([]float32, n*4), make([]float32, n*4)
	for i := range a {
		a[i], b[i] = float32(rng.Float64()*2-1), float32(rng.Float64()*2-1)
	}
	x1 := tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(a))
	x2 := tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(b))
	// tanh(x·kernel + bias) by hand, in float64, for each input.
	kernel, bias := shared.Kernel().Data().([]float32), shared.Bias().Data().([]float32)
	bias[1] = 0.25 // a bias that is not zero, so that a lost bias shows
	byHand := func(x []float32, row, unit int) float64 {
		z := float64(bias[unit])
		for k := 0; k < 4; k++ {
			z += float64(x[row*4+k]) * float64(kernel[k*3+unit])
		}
		return math.Tanh(z)
	}
	got := fnPredictMulti(t, m, x1, x2)[0]
	for i := 0; i < n; i++ {
		for u := 0; u < 3; u++ {
			for half, x := range [][]float32{a, b} {
				if g, w := float64(got[i*6+half*3+u]), byHand(x, i, u); math.Abs(g-w) > 1e-6 {
					t.Fatalf("row %d, call %d, unit %d: %v, by hand %v", i, half, u, g, w)
				}
			}
		}
	}
	// Equal inputs give equal halves, bit for bit.
	same := fnPredictMulti(t, m, x1, x1)[0]
	for i := 0; i < n; i++ {
		fnSameFloats(t, fmt.Sprintf("the halves of row %d", i), same[i*6+3:i*6+6], same[i*6:i*6+3])
	}

	path := filepath.Join(t.TempDir(), "shared.npz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	arrays, order, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var weights []string
	for _, name := range order {
		if name != archName && !strings.HasPrefix(name, optimizerPrefix) {
			weights = append(weights, name)
		}
	}
	if !slices.Equal(weights, []string{"dense/kernel", "dense/bias"}) {
		t.Errorf("the file holds weights %q, want one kernel and one bias", weights)
	}
	var arch struct {
		Config struct {
			Layers []struct {
				Name         string `json:"name"`
				InboundNodes any    `json:"inbound_nodes"`
			} `json:"layers"`
		} `json:"config"`
	}
	if err := json.Unmarshal(arrays[archName].U8, &arch); err != nil {
		t.Fatal(err)
	}
	wantNodes := map[string]string{
		"dense":       `[[["input_1",0,0,{}]],[["input_2",0,0,{}]]]`,
		"concatenate": `[[["dense",0,0,{}],["dense",1,0,{}]]]`,
	}
	for _, l := range arch.Config.Layers {
		if w, ok := wantNodes[l.Name]; ok {
			if b, _ := json.Marshal(l.InboundNodes); string(b) != w {
				t.Errorf("%s: inbound_nodes %s, want %s", l.Name, b, w)
			}
			delete(wantNodes, l.Name)
		}
	}
	if len(wantNodes) > 0 {
		t.Errorf("the file describes no layers %v", wantNodes)
	}

	got2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, m, got2)
	fnSameFloats(t, "predictions after Load", fnPredictMulti(t, got2, x1, x2)[0], got)
	if got2.Summary() != m.Summary() {
		t.Errorf("summary after Load\n%s\nwant\n%s", got2.Summary(), m.Summary())
	}
	// Still one layer, called twice: change its kernel and both calls
	// change, and agree.
	d := got2.Layer("dense").(*DenseLayer)
	calls := 0
	for _, c := range got2.calls {
		if c.layer == Layer(d) {
			calls++
		}
	}
	if calls != 2 || len((network{got2}).Params()) != 2 {
		t.Errorf("loaded: dense called %d times, %d weights; want 2 calls of one kernel and bias", calls, len((network{got2}).Params()))
	}
	for i := range d.Kernel().Data().([]float32) {
		d.Kernel().Data().([]float32)[i] *= -2
	}
	changed := fnPredictMulti(t, got2, x1, x1)[0]
	for i := 0; i < n; i++ {
		fnSameFloats(t, fmt.Sprintf("the halves of row %d after the kernel changed", i), changed[i*6+3:i*6+6], changed[i*6:i*6+3])
		if changed[i*6] == same[i*6] && changed[i*6+1] == same[i*6+1] {
			t.Fatalf("row %d: a new kernel left the output as it was", i)
		}
	}
}

// TestFunctionalSharedLayerOfManyShapes calls a weightless layer on inputs of two
// shapes: its output shape is "multiple", as Keras 2's summary says.
func TestFunctionalSharedLayerOfManyShapes(t *testing.T) {
	in1, in2 := Input(4), Input(6)
	act := Activate(Tanh)
	m := fnModel(t, []*Tensor{in1, in2}, Concatenate().Call(act.Call(in1), act.Call(in2)))
	want := "activation (Activation)         multiple             0           input_1[0][0]                    \n" +
		strings.Repeat(" ", 65) + "input_2[0][0]                    \n"
	if s := m.Summary(); !strings.Contains(s, want) || !strings.Contains(s, "concatenate (Concatenate)       (None, 10)") {
		t.Errorf("summary lacks %q or concatenate's (None, 10):\n%s", want, s)
	}
}

// fnMultiIO is a model of two inputs and two outputs: "cls", three classes
// from the features, and "reg", two values from the extra inputs, with
// batch normalisation, a merge, dropout and a concatenation between.
func fnMultiIO(t testing.TB) *Model {
	x1, x2 := NamedInput("features", 4), NamedInput("extra", 3)
	h := BatchNormalization().Call(Dense(6, ReLU).Call(x1))
	s := Dropout(0.2).Call(Add().Call(h, Dense(6, Tanh).Call(x2)))
	cls := Dense(3, Softmax, Name("cls")).Call(s)
	reg := Dense(2, Linear, Name("reg")).Call(Concatenate().Call(s, x2))
	return fnModel(t, []*Tensor{x1, x2}, cls, reg)
}

// fnMultiData returns n rows for multiIO: blobs for cls, and for reg a
// linear function of the extra inputs.
func fnMultiData(t testing.TB, n int, seed uint64) (xs, ys []*tensor.Dense) {
	x1, y1 := blobs(t, n, 3, 4)
	rng := graph.NewRand(seed)
	x2, y2 := make([]float32, n*3), make([]float32, n*2)
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			x2[i*3+j] = float32(rng.Float64()*2 - 1)
		}
		y2[i*2] = x2[i*3] - 2*x2[i*3+1]
		y2[i*2+1] = 0.5*x2[i*3+2] + 1
	}
	return []*tensor.Dense{x1, tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x2))},
		[]*tensor.Dense{y1, tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(y2))}
}

// TestFunctionalMultiOutputResumeIsExact trains a model of two inputs and two
// outputs, each with its own loss and loss weight, 3 epochs in one go,
// and 2 epochs, saved, loaded and resumed for 1: the same History,
// weights (batch normalisation's moving statistics included) and
// optimizer state, bit for bit.
func TestFunctionalMultiOutputResumeIsExact(t *testing.T) {
	xs, ys := fnMultiData(t, 40, 21)
	xv, yv := fnMultiData(t, 9, 22)
	objs := []train.Objective{
		{Loss: train.CategoricalCrossentropy(), Weight: 1, Metrics: []train.Metric{train.Accuracy()}},
		{Loss: train.MeanSquaredError(), Weight: 0.5},
	}
	fresh := func() *Model {
		m := built(t, fnMultiIO(t), 1)
		if err := m.CompileObjectives(optimizer(t, "adam", map[string]float64{"learning_rate": 0.01}), objs...); err != nil {
			t.Fatal(err)
		}
		return m
	}
	opts := []train.Option{train.BatchSize(8), train.Seed(6), train.Verbose(0), train.ValidationDataMulti(xv, yv)}
	fit := func(m *Model, more ...train.Option) *train.History {
		h, err := m.FitMulti(context.Background(), xs, ys, append(slices.Clone(opts), more...)...)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	one := fresh()
	h := fit(one, train.Epochs(3))
	if want := []string{"loss", "cls_loss", "reg_loss", "cls_accuracy", "val_loss", "val_cls_loss", "val_reg_loss", "val_cls_accuracy"}; !slices.Equal(h.Names, want) {
		t.Errorf("History names %q, want %q", h.Names, want)
	}
	// The loss is the weighted sum of the outputs' losses.
	for _, p := range []string{"", "val_"} {
		for i := range h.Epochs {
			total, cls, reg := h.Values[p+"loss"][i], h.Values[p+"cls_loss"][i], h.Values[p+"reg_loss"][i]
			if math.Abs(total-(cls+0.5*reg)) > 1e-5*math.Abs(total) {
				t.Errorf("epoch %d: %sloss %v, want %scls_loss + 0.5·%sreg_loss = %v", i, p, total, p, p, cls+0.5*reg)
			}
		}
	}

	first := fresh()
	h1 := fit(first, train.Epochs(2))
	resumed := reloaded(t, first)
	if resumed.Epoch() != 2 {
		t.Fatalf("loaded at epoch %d, want 2", resumed.Epoch())
	}
	for i, o := range resumed.Trainer().Objectives() {
		if o.Loss.Name() != objs[i].Loss.Name() || o.Weight != objs[i].Weight || len(o.Metrics) != len(objs[i].Metrics) {
			t.Errorf("objective %d loaded as %s weight %v with %d metrics, want %s weight %v with %d", i, o.Loss.Name(), o.Weight, len(o.Metrics), objs[i].Loss.Name(), objs[i].Weight, len(objs[i].Metrics))
		}
	}
	h2 := fit(resumed, train.InitialEpoch(resumed.Epoch()), train.Epochs(3))
	fnSameHistory(t, fnJoined(h1, h2), h)
	sameWeights(t, one, resumed)
	sameState(t, one, resumed)
	if resumed.Epoch() != 3 {
		t.Errorf("epoch %d, want 3", resumed.Epoch())
	}
	bn := resumed.Layer("batch_normalization").(*BatchNormalizationLayer)
	if slices.Equal(bn.MovingMean().Data().([]float32), make([]float32, 6)) {
		t.Error("the moving mean never moved: the test does not cover the moving statistics")
	}
	po, pr := fnPredictMulti(t, one, xs...), fnPredictMulti(t, resumed, xs...)
	for i := range po {
		fnSameFloats(t, fmt.Sprintf("output %d", i), pr[i], po[i])
	}
}

// TestFunctionalNewModelErrors checks that NewModel refuses what is not a model,
// with an error that says what and where.
func TestFunctionalNewModelErrors(t *testing.T) {
	tests := []struct {
		name    string
		make    func() (inputs, outputs []*Tensor)
		wants   []string
		notWant string
	}{
		{"layer that does not fit its input", func() ([]*Tensor, []*Tensor) {
			x := Input(2, 2)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(Dense(3, ReLU).Call(x))}
		}, []string{"layer dense (Dense) called on (2, 2): a Dense layer takes vectors, but its input samples have shape (2, 2)"}, "dense_1"},
		{"named layer with a bad setting", func() ([]*Tensor, []*Tensor) {
			x := Input(3)
			return []*Tensor{x}, []*Tensor{Dense(0, ReLU, Name("hidden")).Call(x)}
		}, []string{"layer hidden (Dense) called on (3): units must be positive, got 0"}, ""},
		{"convolution of vectors", func() ([]*Tensor, []*Tensor) {
			x := Input(8)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(Flatten().Call(Conv2D(2, [2]int{3, 3}, ReLU).Call(x)))}
		}, []string{"layer conv2d (Conv2D) called on (8): a Conv2D layer takes (height, width, channels) images"}, ""},
		{"Add of (4) and (5)", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(4), Input(5)
			return []*Tensor{x1, x2}, []*Tensor{Add().Call(x1, x2)}
		}, []string{"layer add (Add) called on (4), (5): ", "inputs of one shape, but input 1 has (5) and input 0 (4)"}, ""},
		{"mismatch deep in the graph", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			s := Multiply().Call(Dense(3, ReLU).Call(x), Dense(5, ReLU).Call(x))
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(s)}
		}, []string{"layer multiply (Multiply) called on (3), (5): ", "input 1 has (5) and input 0 (3)"}, ""},
		{"Concatenate of images of other sizes", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(2, 2, 1), Input(3, 2, 1)
			return []*Tensor{x1, x2}, []*Tensor{Flatten().Call(Concatenate().Call(x1, x2))}
		}, []string{"layer concatenate (Concatenate) called on (2, 2, 1), (3, 2, 1): input 1 has shape (3, 2, 1) and input 0 (2, 2, 1): they must agree on all but axis -1"}, ""},
		{"merge of one input", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Add().Call(x)}
		}, []string{"layer add (Add) called on (4): ", "two or more inputs, got 1"}, ""},
		{"shared layer on another shape", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(4), Input(5)
			d := Dense(3, ReLU)
			return []*Tensor{x1, x2}, []*Tensor{d.Call(x1), d.Call(x2)}
		}, []string{"layer dense (Dense) called on (5): called on inputs of shape (5), it needs weights of other shapes than on its first call, on (4)"}, ""},
		{"output of an input not given", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(4), Input(4)
			return []*Tensor{x1}, []*Tensor{Dense(2, Softmax).Call(x2)}
		}, []string{"the outputs depend on input layer ", "which is not among the model's inputs"}, ""},
		{"output of one given input and one not", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(4), Input(4)
			return []*Tensor{x1}, []*Tensor{Add().Call(Dense(2, ReLU).Call(x1), Dense(2, ReLU).Call(x2))}
		}, []string{"the outputs depend on input layer input_2, which is not among the model's inputs"}, ""},
		{"unused input", func() ([]*Tensor, []*Tensor) {
			x1, x2 := Input(4), Input(4)
			return []*Tensor{x1, x2}, []*Tensor{Dense(2, Softmax).Call(x1)}
		}, []string{"input 1 (", ") is used by no output"}, "()"},
		{"input that is no Input", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			h := Dense(3, ReLU).Call(x)
			return []*Tensor{h}, []*Tensor{Dense(2, Softmax).Call(h)}
		}, []string{"input 0 is the output of a Dense layer; a model's inputs are tensors of Input"}, ""},
		{"an input twice", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x, x}, []*Tensor{Dense(2, Softmax).Call(x)}
		}, []string{"input 1 is input 0 again"}, ""},
		{"nil input", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{nil}, []*Tensor{Dense(2, Softmax).Call(x)}
		}, []string{"input 0 is nil"}, ""},
		{"nil output", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(x), nil}
		}, []string{"output 1 is nil"}, ""},
		{"no inputs or outputs", func() ([]*Tensor, []*Tensor) { return nil, nil }, []string{"0 inputs and 0 outputs; a model needs at least one of each"}, ""},
		{"layer called on a nil tensor", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(Concatenate().Call(x, nil))}
		}, []string{"a Concatenate layer called on a nil tensor (input 1)"}, ""},
		{"nil layer", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(Call(nil, x))}
		}, []string{"calling a nil layer"}, ""},
		{"layer called on no tensors", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Call(Dense(2, Softmax))}
		}, []string{"a Dense layer called on no tensors"}, ""},
		{"input layer called", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Call(x.Layer(), x)}
		}, []string{"an InputLayer is not called on tensors: use Input"}, ""},
		{"input of a dimension 0", func() ([]*Tensor, []*Tensor) {
			x := Input(3, 0)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(Flatten().Call(x))}
		}, []string{"Input: shape (3, 0) has a dimension that is not positive"}, ""},
		{"input of no shape", func() ([]*Tensor, []*Tensor) {
			x := Input()
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax).Call(x)}
		}, []string{"Input: no shape given"}, ""},
		{"output of images", func() ([]*Tensor, []*Tensor) {
			x := Input(8, 8, 1)
			return []*Tensor{x}, []*Tensor{Conv2D(2, [2]int{3, 3}, ReLU).Call(x)}
		}, []string{"output 0, of layer conv2d, gives samples of shape (6, 6, 2); a model's outputs must be vectors"}, ""},
		{"slash in a name", func() ([]*Tensor, []*Tensor) {
			x := Input(4)
			return []*Tensor{x}, []*Tensor{Dense(2, Softmax, Name("a/b")).Call(x)}
		}, []string{"layer a/b: a layer name cannot contain '/'"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inputs, outputs := tc.make()
			m, err := NewModel(inputs, outputs)
			if err == nil {
				t.Fatalf("made a model:\n%s", m.Summary())
			}
			if m != nil {
				t.Error("a model beside the error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "NewModel: ") {
				t.Errorf("error %q does not start with NewModel: ", msg)
			}
			for _, w := range tc.wants {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q, want one containing %q", msg, w)
				}
			}
			if tc.notWant != "" && strings.Contains(msg, tc.notWant) {
				t.Errorf("error %q contains %q", msg, tc.notWant)
			}
		})
	}
}

// TestFunctionalFailedCall checks what a failed call gives at once, before
// any model: a Tensor whose Err says what is wrong, naming the layer by
// its kind until a model names it, and whose methods do not panic.
func TestFunctionalFailedCall(t *testing.T) {
	x := Input(2, 2)
	bad := Dense(3, ReLU).Call(x)
	after := Dense(2, Softmax).Call(bad)
	const why = "called on (2, 2): a Dense layer takes vectors"
	if err := bad.Err(); err == nil || !strings.HasPrefix(err.Error(), "a Dense layer "+why) {
		t.Errorf("Err %v, want one starting %q", err, "a Dense layer "+why)
	}
	if bad.Shape() != nil || after.Shape() != nil {
		t.Errorf("failed calls have shapes %v and %v, want nil", bad.Shape(), after.Shape())
	}
	if after.Err() != bad.Err() {
		t.Errorf("a call on a failed tensor has Err %v, want the failed call's", after.Err())
	}
	if _, err := NewModel([]*Tensor{x}, []*Tensor{after}); err == nil || !strings.Contains(bad.Err().Error(), "layer dense (Dense) "+why) {
		t.Errorf("after NewModel (%v), Err %v, want one naming layer dense", err, bad.Err())
	}
	if good := Input(3); good.Err() != nil || !slices.Equal(good.Shape(), []int{3}) || good.Layer().Kind() != "InputLayer" {
		t.Errorf("Input(3): Err %v, shape %v, layer %v", good.Err(), good.Shape(), good.Layer())
	}
	// A call of a nil layer has no layer; asking for it must not panic.
	nilCall := Call(nil, Input(3))
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Layer() of a nil layer's call panics: %v", r)
			}
		}()
		if l := nilCall.Layer(); l != nil {
			t.Errorf("Layer() of a nil layer's call is %v, want nil", l)
		}
	}()
}

// TestFunctionalAddRefused checks that Add is an error on a functional model and
// on a built Sequential, and that either model then works as before.
func TestFunctionalAddRefused(t *testing.T) {
	x, y := blobs(t, 12, 3, 4)
	in := Input(4)
	fn := fnModel(t, []*Tensor{in}, Dense(3, Softmax).Call(Dense(5, ReLU).Call(in)))
	seq := NewSequential(Dense(5, ReLU, InputShape(4)), Dense(3, Softmax))
	for _, tc := range []struct {
		name  string
		m     *Model
		build bool // Add once built
		want  string
	}{
		{"functional", fn, false, "add: layer late (Dense) cannot be added: only a Sequential grows by Add"},
		{"functional built", fn, true, "add: layer late (Dense) cannot be added: only a Sequential grows by Add"},
		{"sequential built", seq, true, "add: layer late (Dense) cannot be added: the model is built already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			if tc.build && !m.Built() {
				compiled(t, m, train.RMSprop())
			}
			layers := m.Layers()
			err := m.Add(Dense(4, Softmax, Name("late")))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Add: %v, want an error starting %q", err, tc.want)
			}
			if err := m.Add(nil); err == nil || !strings.Contains(err.Error(), "add: layer nil cannot be added") {
				t.Errorf("Add(nil): %v", err)
			}
			if !slices.Equal(m.Layers(), layers) {
				t.Errorf("a refused Add changed the layers to %v", m.Layers())
			}
			if !m.Built() {
				compiled(t, m, train.RMSprop())
			}
			before := fnPredict(t, m, x)
			if len(before) != 12*3 {
				t.Fatalf("%d predictions, want 12×3", len(before))
			}
			if _, err := m.Fit(x, y, train.Epochs(1), train.BatchSize(4), train.Verbose(0)); err != nil {
				t.Fatalf("Fit after a refused Add: %v", err)
			}
			if _, _, err := m.Evaluate(x, y, train.Verbose(0)); err != nil {
				t.Errorf("Evaluate after a refused Add: %v", err)
			}
			after := fnPredict(t, m, x)
			if len(after) != len(before) || slices.Equal(after, before) {
				t.Errorf("Fit after a refused Add left the predictions as they were, or changed their number (%d)", len(after))
			}
			fnSameFloats(t, "predictions after a save and load", fnPredict(t, reloaded(t, m), x), after)
		})
	}
}

// fnKindLayer is a layer of any kind that passes its input on, to see what
// the model names layers of kinds the package does not have.
type fnKindLayer struct {
	LayerBase
	kind string
}

func (l *fnKindLayer) Kind() string { return l.kind }
func (l *fnKindLayer) Plan(in [][]int) (Plan, error) {
	return Plan{Output: slices.Clone(in[0])}, nil
}
func (l *fnKindLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) { return in[0], nil }
func (l *fnKindLayer) Config() map[string]any                                 { return nil }

// TestFunctionalLayerNames checks the names a model gives its layers:
// Keras's snake case of the kind (to_snake_case), numbered from the
// second of a kind, input layers from input_1, never a name given to
// another layer.
func TestFunctionalLayerNames(t *testing.T) {
	x, y := Input(6, 6, 2), Input(6, 6, 2)
	c1 := Conv2D(4, [2]int{3, 3}, ReLU, Padding("same")).Call(x)
	c2 := Conv2D(4, [2]int{3, 3}, ReLU, Padding("same")).Call(y)
	s := Add().Call(BatchNormalization().Call(c1), BatchNormalization().Call(c2))
	p := MaxPooling2D([2]int{2, 2}).Call(s)
	q := AveragePooling2D([2]int{2, 2}).Call(s)
	g1, g2 := GlobalAveragePooling2D().Call(p), GlobalAveragePooling2D().Call(q)
	h := Concatenate().Call(Multiply().Call(g1, g2), g1)
	h = Activate(ReLU).Call(Flatten().Call(Reshape([]int{2, 4}).Call(h)))
	h = Dropout(0.1).Call(h)
	o1 := Dense(3, Softmax, Name("dense_1")).Call(h)
	o2 := Dense(2, Softmax).Call(h)
	o3 := Dense(2, Softmax).Call(h)
	m := fnModel(t, []*Tensor{x, y}, o1, o2, o3)
	var got []string
	for _, l := range m.Layers() {
		got = append(got, l.Name()+" ("+l.Kind()+")")
	}
	want := []string{
		"input_1 (InputLayer)", "input_2 (InputLayer)",
		"conv2d (Conv2D)", "conv2d_1 (Conv2D)",
		"batch_normalization (BatchNormalization)", "batch_normalization_1 (BatchNormalization)",
		"add (Add)", "max_pooling2d (MaxPooling2D)", "average_pooling2d (AveragePooling2D)",
		"global_average_pooling2d (GlobalAveragePooling2D)", "global_average_pooling2d_1 (GlobalAveragePooling2D)",
		"multiply (Multiply)", "concatenate (Concatenate)", "reshape (Reshape)", "flatten (Flatten)",
		"activation (Activation)", "dropout (Dropout)",
		"dense_1 (Dense)", "dense (Dense)", "dense_2 (Dense)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("layers\n%q\nwant\n%q", got, want)
	}
	// The names reach the weights and the outputs' log names.
	if l := m.Layer("conv2d_1"); l == nil || l.Base() != c2.Layer().Base() {
		t.Error("Layer(\"conv2d_1\") is not the second convolution")
	}
	built(t, m, 1)
	if p := m.Layer("batch_normalization_1").Params(); len(p) != 4 || p[2].Name != "batch_normalization_1/moving_mean" || p[2].Trainable {
		t.Errorf("batch_normalization_1's weights %v", p)
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy()); err != nil {
		t.Fatal(err)
	}
	if names := m.Trainer().Names(); !slices.Equal(names, []string{"loss", "dense_1_loss", "dense_loss", "dense_2_loss"}) {
		t.Errorf("log names %q", names)
	}

	// Kinds the package lacks, named as Keras names them.
	for _, tc := range []struct{ kind, first, second string }{
		{"ReLU", "re_lu", "re_lu_1"},
		{"LeakyReLU", "leaky_re_lu", "leaky_re_lu_1"},
		{"PReLU", "p_re_lu", "p_re_lu_1"},
		{"ELU", "elu", "elu_1"},
		{"Conv2DTranspose", "conv2d_transpose", "conv2d_transpose_1"},
		{"UpSampling2D", "up_sampling2d", "up_sampling2d_1"},
		{"ZeroPadding2D", "zero_padding2d", "zero_padding2d_1"},
		{"SimpleRNN", "simple_rnn", "simple_rnn_1"},
		{"LSTM", "lstm", "lstm_1"},
		{"MultiHeadAttention", "multi_head_attention", "multi_head_attention_1"},
		{"GlobalMaxPooling1D", "global_max_pooling1d", "global_max_pooling1d_1"},
	} {
		in := Input(3)
		a, b := &fnKindLayer{kind: tc.kind}, &fnKindLayer{kind: tc.kind}
		fnModel(t, []*Tensor{in}, Call(b, Call(a, in)))
		if a.Name() != tc.first || b.Name() != tc.second {
			t.Errorf("two %s layers named %s and %s, want %s and %s", tc.kind, a.Name(), b.Name(), tc.first, tc.second)
		}
	}

	// Inputs are numbered from 1, around a name given.
	i1, i2, i3 := Input(2), NamedInput("input_2", 2), Input(2)
	fnModel(t, []*Tensor{i1, i2, i3}, Add().Call(i1, i2, i3))
	if got := []string{i1.Layer().Name(), i2.Layer().Name(), i3.Layer().Name()}; !slices.Equal(got, []string{"input_1", "input_2", "input_3"}) {
		t.Errorf("inputs named %q, want input_1, input_2, input_3", got)
	}
	// A Sequential's input layer is named after its first layer.
	seq := built(t, NewSequential(Conv2D(2, [2]int{3, 3}, ReLU, InputShape(5, 5, 1)), Flatten(), Dense(2, Softmax)), 1)
	if in := seq.Inputs()[0].Layer().Name(); in != "conv2d_input" {
		t.Errorf("a Sequential's input layer is %s, want conv2d_input", in)
	}
}
