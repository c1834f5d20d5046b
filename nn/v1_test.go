package nn

import (
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/internal/npz"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// v1Data returns the 24 samples (9, 8, 2) and one-hot labels that made
// testdata/v1_convnet.npz and its predictions: x from graph.NewRand(9),
// one float64 draw per value; sample i of class i%3.
func v1Data() (x, y *tensor.Dense) {
	const n = 24
	rng := graph.NewRand(9)
	xd := make([]float32, n*9*8*2)
	for i := range xd {
		xd[i] = float32(rng.Float64())
	}
	yd := make([]float32, n*3)
	for i := 0; i < n; i++ {
		yd[i*3+i%3] = 1
	}
	return tensor.New(tensor.WithShape(n, 9, 8, 2), tensor.WithBacking(xd)),
		tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(yd))
}

// v1Predictions returns the predictions the version 1 code made, saved
// as JSON of float32 values (Go writes each float32 in the shortest
// decimal that parses back to it, so decoding into float32 is exact).
func v1Predictions(t *testing.T) []float32 {
	t.Helper()
	var want []float32
	if err := json.Unmarshal(readFile(t, filepath.Join("testdata", "v1_convnet_predict.json")), &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != 24*3 {
		t.Fatalf("%d predictions in the file, want 24×3", len(want))
	}
	return want
}

// fnSameFloats fails the test unless got and want are equal bit for bit.
func fnSameFloats(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// fnPredict returns m's predictions on x, as float32s.
func fnPredict(t *testing.T, m *Model, x *tensor.Dense) []float32 {
	t.Helper()
	p, err := m.Predict(x, train.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return p.Data().([]float32)
}

// TestV1LoadPredictsAsSaved loads a model the format-1 code saved (everyKind,
// compiled with RMSprop of momentum 0.5, trained 2 epochs on v1Data in
// batches of 8) and checks it predicts what that code predicted, bit for
// bit, and is the model it was: layers, summary, training state.
func TestV1LoadPredictsAsSaved(t *testing.T) {
	path := filepath.Join("testdata", "v1_convnet.npz")
	arrays, _, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(arrays[archName].U8, &head); err != nil || head.Version != 1 {
		t.Fatalf("testdata file has version %d (%v), want a version 1 file", head.Version, err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := v1Data()
	fnSameFloats(t, "predictions of the version 1 model", fnPredict(t, m, x), v1Predictions(t))

	// The layers, kinds and names of the model saved, as a Sequential.
	if m.Name() != "sequential" {
		t.Errorf("name %q, want sequential", m.Name())
	}
	var got [][2]string
	for _, l := range m.Layers() {
		got = append(got, [2]string{l.Name(), l.Kind()})
	}
	want := [][2]string{{"conv2d", "Conv2D"}, {"max_pooling2d", "MaxPooling2D"}, {"second", "Conv2D"}, {"dropout", "Dropout"},
		{"flatten", "Flatten"}, {"dense", "Dense"}, {"dense_1", "Dense"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("layers %v, want %v", got, want)
	}
	if in := m.Inputs(); len(in) != 1 || !reflect.DeepEqual(in[0].Shape(), []int{9, 8, 2}) || in[0].Layer().Name() != "conv2d_input" {
		t.Errorf("inputs %v, want one of shape (9, 8, 2) named conv2d_input", in)
	}
	if got, want := m.Summary(), everyKind().Summary(); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
	// Its settings as written: strides and padding of the first layers.
	c := m.Layer("conv2d").(*Conv2DLayer).Base()
	p := m.Layer("max_pooling2d").Base()
	if !reflect.DeepEqual(c.strides, []int{2, 1}) || c.padding != "same" || !reflect.DeepEqual(p.strides, []int{1, 2}) || p.padding != "valid" {
		t.Errorf("conv2d strides %v padding %q, max_pooling2d strides %v padding %q", c.strides, c.padding, p.strides, p.padding)
	}
	if d := m.Layer("dropout").(*DropoutLayer); d.rate != 0.25 {
		t.Errorf("dropout rate %v, want 0.25", d.rate)
	}

	// The training state: 2 epochs of 3 steps, RMSprop as compiled.
	if !m.Compiled() || m.Epoch() != 2 {
		t.Fatalf("compiled %v, epoch %d; want compiled, epoch 2", m.Compiled(), m.Epoch())
	}
	opt := m.Trainer().Optimizer()
	if opt.Name() != "rmsprop" || opt.Config()["momentum"] != float64(float32(0.5)) || opt.State().Step != 6 {
		t.Errorf("optimizer %s %v step %d, want rmsprop of momentum 0.5 at step 6", opt.Name(), opt.Config(), opt.State().Step)
	}
	objs := m.Trainer().Objectives()
	if len(objs) != 1 || objs[0].Loss.Name() != "categorical_crossentropy" || len(objs[0].Metrics) != 1 || objs[0].Metrics[0].Name() != "accuracy" {
		t.Errorf("objectives %+v, want categorical cross-entropy and accuracy", objs)
	}
}

// TestV1SavesAsVersion2 saves a loaded version 1 model again: the
// file is version 2, and the model loaded from it predicts the same,
// bit for bit, and trains on exactly as the version 1 model does.
func TestV1SavesAsVersion2(t *testing.T) {
	v1, err := Load(filepath.Join("testdata", "v1_convnet.npz"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v2.npz")
	if err := v1.Save(path); err != nil {
		t.Fatal(err)
	}
	arrays, _, err := npz.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Version   int    `json:"version"`
		ClassName string `json:"class_name"`
	}
	if err := json.Unmarshal(arrays[archName].U8, &head); err != nil || head.Version != archVersion || head.ClassName != "Sequential" {
		t.Errorf("saved again: version %d class %q (%v), want version %d Sequential", head.Version, head.ClassName, err, archVersion)
	}
	v2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, v1, v2)
	sameState(t, v1, v2)
	x, y := v1Data()
	want := v1Predictions(t)
	fnSameFloats(t, "predictions after saving as version 2", fnPredict(t, v2, x), want)
	if v2.Summary() != v1.Summary() {
		t.Errorf("summary after saving as version 2\n%s\nwant\n%s", v2.Summary(), v1.Summary())
	}

	// One more epoch on each: the same History, weights and state.
	opts := []train.Option{train.BatchSize(8), train.Seed(4), train.Verbose(0), train.Epochs(3)}
	h1, err := v1.Fit(x, y, append(opts, train.InitialEpoch(v1.Epoch()))...)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := v2.Fit(x, y, append(opts, train.InitialEpoch(v2.Epoch()))...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h1, h2) {
		t.Errorf("History after the version 2 file %+v, after the version 1 file %+v", h2, h1)
	}
	if !reflect.DeepEqual(h1.Epochs, []int{2}) {
		t.Errorf("epochs %v, want [2]", h1.Epochs)
	}
	sameWeights(t, v1, v2)
	sameState(t, v1, v2)
	if v2.Epoch() != 3 {
		t.Errorf("epoch %d, want 3", v2.Epoch())
	}
	// Training moved the weights: the predictions differ now.
	if p := fnPredict(t, v2, x); reflect.DeepEqual(p, want) {
		t.Error("a further epoch left the predictions as they were")
	}
}
