package onnx

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/gokeras/gokeras/train"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// exportCase is a model to export, with the shapes of its inputs.
type exportCase struct {
	name  string
	model func(t *testing.T) *nn.Model
}

// mlp is the lesson's network.
func mlp(t *testing.T) *nn.Model {
	return built(t, nn.NewSequential(nn.Dense(512, nn.ReLU, nn.InputShape(784)), nn.Dense(10, nn.Softmax)))
}

// convnet is Chollet's MNIST convnet.
func convnet(t *testing.T) *nn.Model {
	return built(t, nn.NewSequential(
		nn.Conv2D(32, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.Flatten(),
		nn.Dense(64, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	))
}

// residual is examples/fashion's network.
func residual(t *testing.T) *nn.Model {
	convBN := func(x *nn.Tensor, filters int, opts ...nn.Option) *nn.Tensor {
		opts = append([]nn.Option{nn.Padding("same")}, opts...)
		return nn.BatchNormalization().Call(nn.Conv2D(filters, [2]int{3, 3}, nn.Linear, opts...).Call(x))
	}
	relu := func(x *nn.Tensor) *nn.Tensor { return nn.Activate(nn.ReLU).Call(x) }
	block := func(x *nn.Tensor) *nn.Tensor {
		y := convBN(relu(convBN(x, x.Shape()[2])), x.Shape()[2])
		return relu(nn.Add().Call(x, y))
	}
	in := nn.Input(28, 28, 1)
	x := nn.MaxPooling2D([2]int{2, 2}).Call(relu(convBN(in, 32)))
	x = block(relu(convBN(block(x), 64, nn.Strides(2, 2))))
	out := nn.Dense(10, nn.Softmax).Call(nn.GlobalAveragePooling2D().Call(x))
	return functional(t, []*nn.Tensor{in}, []*nn.Tensor{out})
}

// everyLayer uses every layer kind, two inputs, a shared layer and two
// outputs, one of them images.
func everyLayer(t *testing.T) *nn.Model {
	img := nn.NamedInput("image", 9, 8, 3)
	vec := nn.NamedInput("vector", 6)
	x := nn.Conv2D(4, [2]int{3, 3}, nn.Tanh, nn.Padding("same"), nn.Strides(2, 1)).Call(img)
	x = nn.BatchNormalization().Call(x)
	a := nn.AveragePooling2D([2]int{2, 3}, nn.Padding("same")).Call(x)
	m := nn.MaxPooling2D([2]int{2, 3}, nn.Padding("same")).Call(x)
	x = nn.Concatenate().Call(a, m)                            // channels
	x = nn.Multiply().Call(x, nn.Activate(nn.Sigmoid).Call(x)) // swish-like
	side := nn.Flatten().Call(nn.Activate(nn.Tanh).Call(x))    // images, channels last
	flat := nn.Dropout(0.3).Call(nn.Flatten().Call(x))
	shared := nn.Dense(5, nn.ReLU)
	v := nn.Concatenate().Call(shared.Call(nn.Dense(6, nn.Linear).Call(flat)), shared.Call(vec))
	v = nn.BatchNormalization().Call(v)
	r := nn.Reshape([]int{2, 5}).Call(v)
	rows := nn.Concatenate(nn.Name("rows"))
	rows.Axis = 1 // (2, 5) and (2, 5) make (4, 5)
	r = rows.Call(r, r)
	out := nn.Dense(3, nn.Softmax).Call(nn.GlobalAveragePooling2D().Call(nn.Reshape([]int{4, 5, 1}).Call(r)))
	return functional(t, []*nn.Tensor{img, vec}, []*nn.Tensor{out, side})
}

// moreLayers uses Permute, ZeroPadding2D, Subtract and log_softmax on
// values of both layouts: a Subtract of two convolutions and a padding
// of it channels-first, a Permute of a value that is only channels-first
// (one transpose), of one channels-last, and of matrices, a padding of
// the input image, a Subtract of vectors, a Dense and an Activation
// layer with log_softmax.
func moreLayers(t *testing.T) *nn.Model {
	img := nn.NamedInput("image", 6, 5, 2)
	vec := nn.NamedInput("vector", 6)
	c1 := nn.Conv2D(3, [2]int{3, 3}, nn.ReLU, nn.Padding("same")).Call(img)
	c2 := nn.Conv2D(3, [2]int{1, 1}, nn.Tanh).Call(img)
	z := nn.ZeroPadding2D([2][2]int{{1, 2}, {0, 1}}).Call(nn.Subtract().Call(c1, c2)) // (9, 6, 3)
	p := nn.Permute([]int{3, 1, 2}).Call(z)                                           // (3, 9, 6)
	side := nn.Flatten().Call(nn.Permute([]int{1, 3, 2}).Call(p))                     // (3, 6, 9)
	q := nn.Permute([]int{2, 3, 1}).Call(nn.ZeroPadding2D([2][2]int{{0, 1}, {2, 0}}).Call(img))
	s := nn.Subtract().Call(nn.Dense(6, nn.Tanh).Call(nn.Flatten().Call(q)), nn.Dense(6, nn.Sigmoid).Call(vec))
	r := nn.Flatten().Call(nn.Permute([]int{2, 1}).Call(nn.Reshape([]int{2, 3}).Call(s)))
	out := nn.Dense(4, nn.LogSoftmax).Call(nn.Concatenate().Call(r, s))
	logp := nn.Activate(nn.LogSoftmax).Call(nn.Dense(5, nn.Linear).Call(s))
	return functional(t, []*nn.Tensor{img, vec}, []*nn.Tensor{out, logp, side})
}

func functional(t *testing.T, in, out []*nn.Tensor) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(in, out)
	if err != nil {
		t.Fatal(err)
	}
	return built(t, m)
}

// built builds m and gives its batch normalisations moving statistics
// other than 0 and 1, as training would.
func built(t *testing.T, m *nn.Model) *nn.Model {
	t.Helper()
	if err := m.Build(7); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range m.Layers() {
		if bn, ok := l.(*nn.BatchNormalizationLayer); ok {
			for _, w := range []*tensor.Dense{bn.Gamma(), bn.Beta(), bn.MovingMean()} {
				for i := range w.Data().([]float32) {
					w.Data().([]float32)[i] = float32(rng.NormFloat64())
				}
			}
			for i := range bn.MovingVariance().Data().([]float32) {
				bn.MovingVariance().Data().([]float32)[i] = 0.5 + rng.Float32()
			}
		}
	}
	return m
}

var exportCases = []exportCase{
	{"mlp", mlp},
	{"convnet", convnet},
	{"residual", residual},
	{"every_layer", everyLayer},
	{"more_layers", moreLayers},
}

// inputsFor returns n random samples for each of m's inputs.
func inputsFor(m *nn.Model, n int) []*tensor.Dense {
	rng := rand.New(rand.NewPCG(5, 6))
	var xs []*tensor.Dense
	for _, in := range m.Inputs() {
		shape := append([]int{n}, in.Shape()...)
		size := 1
		for _, d := range shape {
			size *= d
		}
		v := make([]float32, size)
		for i := range v {
			v[i] = rng.Float32()
		}
		xs = append(xs, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)))
	}
	return xs
}

// TestMarshalStructure decodes what Marshal wrote and checks the parts
// any ONNX reader relies on: opset 13, the IR version, inputs and outputs
// named and shaped as the model's with the batch axis symbolic, every
// node's inputs defined before it (a topological order), every weight an
// initializer of the right size.
func TestMarshalStructure(t *testing.T) {
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.model(t)
			mp := marshalled(t, m)
			if mp.GetIrVersion() != 7 || len(mp.GetOpsetImport()) != 1 || mp.GetOpsetImport()[0].GetVersion() != 13 {
				t.Errorf("IR %d, opsets %v; want IR 7, opset 13", mp.GetIrVersion(), mp.GetOpsetImport())
			}
			g := mp.GetGraph()
			defined := map[string]bool{}
			for _, in := range g.GetInput() {
				defined[in.GetName()] = true
			}
			weights := 0
			for _, init := range g.GetInitializer() {
				defined[init.GetName()] = true
				if init.GetDataType() == int32(pb.TensorProto_FLOAT) {
					weights += len(init.GetFloatData())
				}
			}
			params := 0
			for _, l := range m.Layers() {
				for _, p := range l.Params() {
					params += p.Value.Size()
				}
			}
			if weights != params {
				t.Errorf("initializers hold %d values, the model %d", weights, params)
			}
			for _, n := range g.GetNode() {
				for _, in := range n.GetInput() {
					if !defined[in] {
						t.Errorf("node %s (%s) reads %q before it is defined", n.GetName(), n.GetOpType(), in)
					}
				}
				for _, out := range n.GetOutput() {
					if defined[out] {
						t.Errorf("node %s redefines %q", n.GetName(), out)
					}
					defined[out] = true
				}
			}
			check := func(what string, vi []*pb.ValueInfoProto, ts []*nn.Tensor) {
				if len(vi) != len(ts) {
					t.Fatalf("%d graph %ss, want %d", len(vi), what, len(ts))
				}
				for i, v := range vi {
					dims := v.GetType().GetTensorType().GetShape().GetDim()
					if len(dims) != len(ts[i].Shape())+1 || dims[0].GetDimParam() != "N" {
						t.Errorf("%s %s: dims %v", what, v.GetName(), dims)
						continue
					}
					for j, d := range ts[i].Shape() {
						if dims[j+1].GetDimValue() != int64(d) {
							t.Errorf("%s %s: dim %d is %d, want %d", what, v.GetName(), j+1, dims[j+1].GetDimValue(), d)
						}
					}
					if !defined[v.GetName()] {
						t.Errorf("%s %s is never defined", what, v.GetName())
					}
				}
			}
			check("input", g.GetInput(), m.Inputs())
			check("output", g.GetOutput(), m.Outputs())
			if g.GetInput()[0].GetName() != m.Inputs()[0].Layer().Name() || g.GetOutput()[0].GetName() != m.Outputs()[0].Layer().Name() {
				t.Errorf("graph input %s and output %s, want the model's %s and %s", g.GetInput()[0].GetName(),
					g.GetOutput()[0].GetName(), m.Inputs()[0].Layer().Name(), m.Outputs()[0].Layer().Name())
			}
		})
	}
}

// marshalled returns what Marshal writes of m, decoded.
func marshalled(t *testing.T, m *nn.Model) *pb.ModelProto {
	t.Helper()
	b, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var mp pb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	return &mp
}

// TestResidualStaysChannelsFirst checks that the residual network's graph
// transposes its image once, at the input, and never back: its
// convolutions, normalisations, additions and pooling all run
// channels-first.
func TestResidualStaysChannelsFirst(t *testing.T) {
	mp := marshalled(t, residual(t))
	ops := map[string]int{}
	for _, n := range mp.GetGraph().GetNode() {
		ops[n.GetOpType()]++
	}
	want := map[string]int{"Transpose": 1, "Conv": 6, "BatchNormalization": 6, "Relu": 6, "Add": 2,
		"MaxPool": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1, "Softmax": 1}
	for op, n := range want {
		if ops[op] != n {
			t.Errorf("%d %s nodes, want %d (all: %v)", ops[op], op, n, ops)
		}
	}
}

// TestMarshalMoreLayers checks the nodes of moreLayers' graph: a Permute
// of a value that is only channels-first is one Transpose (not one back
// to channels-last and one more), so there are five: the image to
// channels-first and the four Permute layers; the paddings, the
// subtractions and the log-softmaxes are a node each.
func TestMarshalMoreLayers(t *testing.T) {
	mp := marshalled(t, moreLayers(t))
	ops := map[string]int{}
	for _, n := range mp.GetGraph().GetNode() {
		ops[n.GetOpType()]++
		if n.GetOpType() == "Pad" {
			if len(n.GetInput()) != 2 || len(n.GetAttribute()) != 1 || string(n.GetAttribute()[0].GetS()) != "constant" {
				t.Errorf("Pad node %s: inputs %v, attributes %v; want x and pads, mode constant", n.GetName(), n.GetInput(), n.GetAttribute())
			}
		}
	}
	want := map[string]int{"Transpose": 5, "Pad": 2, "Sub": 2, "LogSoftmax": 2, "Conv": 2, "Softmax": 0}
	for op, n := range want {
		if ops[op] != n {
			t.Errorf("%d %s nodes, want %d (all: %v)", ops[op], op, n, ops)
		}
	}
	pads := map[string][]int64{}
	for _, init := range mp.GetGraph().GetInitializer() {
		if strings.HasSuffix(init.GetName(), "/pads") {
			pads[init.GetName()] = init.GetInt64Data()
		}
	}
	// ((1, 2), (0, 1)) and ((0, 1), (2, 0)) as (N, C, H, W) starts, then
	// ends.
	for name, p := range map[string][]int64{"zero_padding2d/pads": {0, 0, 1, 0, 0, 0, 2, 1}, "zero_padding2d_1/pads": {0, 0, 0, 2, 0, 0, 1, 0}} {
		if !slices.Equal(pads[name], p) {
			t.Errorf("%s is %v, want %v", name, pads[name], p)
		}
	}
}

// TestMarshalErrors: an unbuilt model, and a layer with no ONNX form,
// named.
func TestMarshalErrors(t *testing.T) {
	if _, err := Marshal(nn.NewSequential(nn.Dense(2, nn.ReLU, nn.InputShape(3)))); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("unbuilt model: %v", err)
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("nil model: no error")
	}
}

// TestPadsAsTensorFlow checks layerWindow's pads against TensorFlow's same
// padding, worked by hand: 7 wide, kernel 3, stride 2: 4 outputs, 2
// padding pixels, 1 before and 1 after; 14 wide, kernel 3, stride 2: 7
// outputs, 1 pixel, after; 9 wide, pool 2, stride 2: 5 outputs, 1 after.
func TestPadsAsTensorFlow(t *testing.T) {
	for _, c := range []struct {
		x, size, stride int
		pads            [2]int64
	}{{7, 3, 2, [2]int64{1, 1}}, {14, 3, 2, [2]int64{0, 1}}, {9, 2, 2, [2]int64{0, 1}}, {8, 3, 1, [2]int64{1, 1}}, {5, 1, 1, [2]int64{0, 0}}} {
		_, pads, err := layerWindow(map[string]any{"strides": []int{c.stride, 1}, "padding": "same"}, []int{c.x, 4, 1}, [2]int{c.size, 1})
		if err != nil {
			t.Fatal(err)
		}
		if pads[0] != c.pads[0] || pads[2] != c.pads[1] || pads[1] != 0 || pads[3] != 0 {
			t.Errorf("x %d, size %d, stride %d: pads %v, want %v", c.x, c.size, c.stride, pads, c.pads)
		}
	}
}

// ort returns how to run testdata/ort_run.js, or skips the test saying
// what is missing.
func ort(t *testing.T) (node string, env []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node in PATH: install Node.js and `npm install --prefix .ort --ignore-scripts onnxruntime-node` in the module root to check exports with ONNX Runtime")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".ort", "node_modules"))
	probe := exec.Command(node, "-e", "require('onnxruntime-node')")
	probe.Env = env
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("onnxruntime-node is not installed (npm install --prefix .ort --ignore-scripts onnxruntime-node in the module root): %v: %s", err, firstLine(out))
	}
	return node, env
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// ortTensor is a tensor as ort_run.js reads and writes it.
type ortTensor struct {
	Name string    `json:"name"`
	Dims []int     `json:"dims"`
	Data []float64 `json:"data"`
}

// runORT runs the ONNX model file at path with ONNX Runtime on the given inputs and returns its outputs (skipping the test when node or onnxruntime-node is absent, through ort(t)).
func runORT(t *testing.T, path string, feeds []ortTensor) []ortTensor {
	t.Helper()
	node, env := ort(t)
	b, err := json.Marshal(feeds)
	if err != nil {
		t.Fatal(err)
	}
	inPath := filepath.Join(t.TempDir(), "feeds.json")
	if err := os.WriteFile(inPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "ort_run.js"), path, inPath)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ONNX Runtime on %s: %v: %s", path, err, stderr.String())
	}
	var got []ortTensor
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("ONNX Runtime's output: %v", err)
	}
	return got
}

// TestONNXRuntimeAgrees exports each model, runs it with ONNX Runtime on
// 5 random samples and compares its outputs with Predict's: within 1e-5,
// shapes and names as the model's.
func TestONNXRuntimeAgrees(t *testing.T) {
	ort(t)
	dir := t.TempDir()
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.model(t)
			path := filepath.Join(dir, c.name+".onnx")
			if err := Save(m, path); err != nil {
				t.Fatal(err)
			}
			xs := inputsFor(m, 5)
			var feeds []ortTensor
			for i, x := range xs {
				v := x.Data().([]float32)
				d := make([]float64, len(v))
				for j, f := range v {
					d[j] = float64(f)
				}
				feeds = append(feeds, ortTensor{Name: m.Inputs()[i].Layer().Name(), Dims: x.Shape(), Data: d})
			}
			got := runORT(t, path, feeds)
			if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
				t.Fatal(err)
			}
			want, err := m.PredictMulti(t.Context(), xs, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("ONNX Runtime gave %d outputs, Predict %d", len(got), len(want))
			}
			for i, w := range want {
				if got[i].Name != m.Outputs()[i].Layer().Name() {
					t.Errorf("output %d named %q, want %q", i, got[i].Name, m.Outputs()[i].Layer().Name())
				}
				if !equalInts(got[i].Dims, w.Shape()) {
					t.Errorf("output %d: shape %v, want %v", i, got[i].Dims, w.Shape())
					continue
				}
				worst := 0.0
				for j, v := range w.Data().([]float32) {
					worst = math.Max(worst, math.Abs(got[i].Data[j]-float64(v)))
				}
				t.Logf("%s output %s: max |ONNX Runtime − Predict| = %.3g", c.name, got[i].Name, worst)
				if worst > 1e-5 {
					t.Errorf("output %d differs from Predict by up to %.3g", i, worst)
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestONNXCheckerAccepts runs ONNX's own checker (Python's onnx package,
// Debian's python3-onnx) with full shape inference on each exported
// model. Skipped where no Python has onnx.
func TestONNXCheckerAccepts(t *testing.T) {
	var python string
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import onnx").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		t.Skip("no python3 with onnx (apt-get install python3-onnx): ONNX's checker not run")
	}
	dir := t.TempDir()
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".onnx")
			if err := Save(c.model(t), path); err != nil {
				t.Fatal(err)
			}
			script := "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)"
			out, err := exec.Command(python, "-c", script, path).CombinedOutput()
			if err != nil {
				t.Fatalf("onnx.checker rejects the model: %v\n%s", err, out)
			}
			if strings.TrimSpace(string(out)) != "13" {
				t.Errorf("checker read opset %q, want 13", out)
			}
		})
	}
}
