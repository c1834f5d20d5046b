package onnx

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// unsupported lists ONNX's backend node tests (testdata/node) that the
// importer does not import, or whose model it imports but cannot run,
// each with a substring of the error it must give: what is unsupported
// and why. A listed test that starts passing, or fails with another
// error, fails TestONNXNodeTests, as does a wrong answer of any test.
var unsupported = map[string]string{
	// Element types: gokeras models take and give float32.
	"test_add_uint8":         `input "x" has element type UINT8`,
	"test_mul_uint8":         `input "x" has element type UINT8`,
	"test_sub_uint8":         `input "x" has element type UINT8`,
	"test_maxpool_2d_uint8":  `input "x" has element type UINT8`,
	"test_identity_opt":      `input "opt_in" is not a tensor`, // an optional
	"test_identity_sequence": `input "x" is not a tensor`,      // a sequence
	// Dropout's training_mode input is a bool, which no initializer may
	// hold (and training-mode dropout is not an inference graph).
	"test_training_dropout":                 `tensor "t" has element type BOOL`,
	"test_training_dropout_default":         `tensor "t" has element type BOOL`,
	"test_training_dropout_default_mask":    `tensor "t" has element type BOOL`,
	"test_training_dropout_mask":            `tensor "t" has element type BOOL`,
	"test_training_dropout_zero_ratio":      `tensor "t" has element type BOOL`,
	"test_training_dropout_zero_ratio_mask": `tensor "t" has element type BOOL`,

	// Samples without a second axis: the first axis of an input is the
	// batch, and a model needs one more.
	"test_concat_1d_axis_0":          `input "value0" has shape (2): it needs a batch axis and at least one more`,
	"test_concat_1d_axis_negative_1": `input "value0" has shape (2): it needs a batch axis and at least one more`,
	"test_dropout_default_old":       `input "x" has shape (3): it needs a batch axis and at least one more`,
	"test_mul_example":               `input "x" has shape (3): it needs a batch axis and at least one more`,
	"test_sigmoid_example":           `input "x" has shape (3): it needs a batch axis and at least one more`,
	"test_sub_example":               `input "x" has shape (3): it needs a batch axis and at least one more`,
	"test_tanh_example":              `input "x" has shape (3): it needs a batch axis and at least one more`,

	// Operations across the batch axis, or that move it.
	"test_concat_2d_axis_0":             "axis 0 of (N, 2): only an axis of the samples (1 to 1) can be joined along",
	"test_concat_2d_axis_negative_2":    "axis 0 of (N, 2): only an axis of the samples (1 to 1) can be joined along",
	"test_concat_3d_axis_0":             "axis 0 of (N, 2, 2): only an axis of the samples (1 to 2) can be joined along",
	"test_concat_3d_axis_negative_3":    "axis 0 of (N, 2, 2): only an axis of the samples (1 to 2) can be joined along",
	"test_flatten_axis0":                "axis 0: only axis 1 is supported",
	"test_flatten_negative_axis4":       "axis 0: only axis 1 is supported",
	"test_flatten_axis2":                "axis 2: only axis 1 is supported",
	"test_flatten_negative_axis2":       "axis 2: only axis 1 is supported",
	"test_flatten_axis3":                "axis 3: only axis 1 is supported",
	"test_flatten_negative_axis1":       "axis 3: only axis 1 is supported",
	"test_gemm_all_attributes":          "attribute transA=1 is not supported: A's rows are the batch",
	"test_gemm_transposeA":              "attribute transA=1 is not supported: A's rows are the batch",
	"test_logsoftmax_axis_0":            "axis 0 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_softmax_axis_0":               "axis 0 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_transpose_all_permutations_2": "perm [1 0 2] of (N, 3, 4): the batch axis must stay first",
	"test_transpose_all_permutations_3": "perm [1 2 0] of (N, 3, 4): the batch axis must stay first",
	"test_transpose_all_permutations_4": "perm [2 0 1] of (N, 3, 4): the batch axis must stay first",
	"test_transpose_all_permutations_5": "perm [2 1 0] of (N, 3, 4): the batch axis must stay first",
	"test_transpose_default":            "no perm: the default reverses the axes, moving the batch axis",
	// Reshape to a shape that fixes the batch (ONNX's tests give the
	// whole shape; an exported model with a dynamic batch gives 0 or -1)
	// or changes it.
	"test_reshape_extended_dims":          "shape [2 3 2 2] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_negative_dim":           "shape [2 -1 2] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_reduced_dims":           "shape [2 12] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_reordered_all_dims":     "shape [4 2 3] fixes the batch axis at 4; give 0 or -1 for it",
	"test_reshape_reordered_last_dims":    "shape [2 4 3] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_zero_and_negative_dim":  "shape [2 0 1 -1] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_zero_dim":               "shape [2 0 4 1] fixes the batch axis at 2; give 0 or -1 for it",
	"test_reshape_negative_extended_dims": "shape [-1 2 3 4] holds 24 values per sample, the input (N, 3, 4) 12",
	"test_reshape_one_dim":                `shape "shape" must be a list of at least 2 integers (the batch and one more)`,

	// Softmax and LogSoftmax (opset 13) over one axis of samples of rank 2
	// or more: only the softmax over a whole sample is.
	"test_logsoftmax_axis_1":        "axis 1 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_logsoftmax_axis_2":        "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_logsoftmax_default_axis":  "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_logsoftmax_negative_axis": "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_softmax_axis_1":           "axis 1 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_softmax_axis_2":           "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_softmax_default_axis":     "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",
	"test_softmax_negative_axis":    "axis 2 of (N, 4, 5) in opset 13: only the softmax over each whole sample is supported",

	// Weights and attributes gokeras's layers cannot express.
	"test_gemm_default_matrix_bias":    "C has shape (3, 4); a scalar, (4) or (1, 4) is supported",
	"test_matmul_3d":                   `input "a" has shape (N, 3, 4): MatMul takes (N, K) matrices`,
	"test_matmul_4d":                   `input "a" has shape (N, 2, 3, 4): MatMul takes (N, K) matrices`,
	"test_reshape_allowzero_reordered": "attribute allowzero=1 is not supported",
	"test_averagepool_1d_default":      `input "x" has shape (N, 3, 32); AveragePool of (N, C, H, W) images is supported`,
	"test_averagepool_3d_default":      `input "x" has shape (N, 3, 32, 32, 32); AveragePool of (N, C, H, W) images is supported`,
	"test_maxpool_1d_default":          `input "x" has shape (N, 3, 32); MaxPool of (N, C, H, W) images is supported`,
	"test_maxpool_3d_default":          `input "x" has shape (N, 3, 32, 32, 32); MaxPool of (N, C, H, W) images is supported`,
	"test_averagepool_2d_ceil":         "attribute ceil_mode=1 is not supported",
	"test_maxpool_2d_ceil":             "attribute ceil_mode=1 is not supported",
	"test_maxpool_2d_dilations":        "attribute dilations=[2 2] is not supported: only 1s (no dilation)",
	// Pads other than none or TensorFlow's same, where padding with zeros
	// would change the result (a max, an average without the pads).
	"test_averagepool_2d_pads":       "pads (2, 2), (2, 2) (top, bottom, left, right): AveragePool supports none or TensorFlow's same",
	"test_averagepool_2d_same_lower": "pads (1, 0), (1, 0) (top, bottom, left, right): AveragePool supports none or TensorFlow's same",
	"test_maxpool_2d_pads":           "pads (2, 2), (2, 2) (top, bottom, left, right): MaxPool supports none or TensorFlow's same",
	"test_maxpool_2d_same_lower":     "pads (1, 0), (1, 0) (top, bottom, left, right): MaxPool supports none or TensorFlow's same",

	// Second outputs: masks, indices, training-mode statistics.
	"test_batchnorm_epsilon_training_mode":            `output 1 ("output_mean") is read, but only the first output of BatchNormalization is supported`,
	"test_batchnorm_example_training_mode":            `output 1 ("output_mean") is read, but only the first output of BatchNormalization is supported`,
	"test_dropout_default_mask":                       `output 1 ("z") is read, but only the first output of Dropout is supported`,
	"test_dropout_default_mask_ratio":                 `output 1 ("z") is read, but only the first output of Dropout is supported`,
	"test_maxpool_with_argmax_2d_precomputed_pads":    `output 1 ("z") is read, but only the first output of MaxPool is supported`,
	"test_maxpool_with_argmax_2d_precomputed_strides": `output 1 ("z") is read, but only the first output of MaxPool is supported`,

	// Graphs of no computation.
	"test_constant": `output "values" is a constant`,

	// Opsets before 7: GlobalAveragePool's tests import opset 1, the
	// operator's only version.
}

// nodeCase is one of ONNX's backend node tests: a model of one node,
// with the inputs of its first data set and ONNX's outputs for them.
type nodeCase struct {
	name    string
	op      string
	model   *pb.ModelProto
	inputs  []*pb.TensorProto // one per graph input, in order
	outputs []*pb.TensorProto // one per graph output, in order
}

// readTensorProto reads a serialized TensorProto.
func readTensorProto(path string) (*pb.TensorProto, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t pb.TensorProto
	if err := proto.Unmarshal(b, &t); err != nil {
		return nil, errors.Wrap(err, path)
	}
	return &t, nil
}

// loadNodeCase reads the node test in dir: model.onnx and
// test_data_set_0/input_N.pb, output_N.pb, one per graph input and
// output.
func loadNodeCase(dir string) (*nodeCase, error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	c := &nodeCase{name: filepath.Base(dir), model: &pb.ModelProto{}}
	if err := proto.Unmarshal(b, c.model); err != nil {
		return nil, errors.Wrap(err, dir)
	}
	g := c.model.GetGraph()
	if len(g.GetNode()) != 1 {
		return nil, errors.Errorf("%s: %d nodes; generate.sh keeps models of one", dir, len(g.GetNode()))
	}
	c.op = g.GetNode()[0].GetOpType()
	data := filepath.Join(dir, "test_data_set_0")
	read := func(kind string, n int) ([]*pb.TensorProto, error) {
		files, err := filepath.Glob(filepath.Join(data, kind+"_*.pb"))
		if err != nil {
			return nil, err
		}
		if len(files) != n {
			return nil, errors.Errorf("%s: %d %s files for %d graph %ss", data, len(files), kind, n, kind)
		}
		ts := make([]*pb.TensorProto, n)
		for j := range ts {
			if ts[j], err = readTensorProto(filepath.Join(data, fmt.Sprintf("%s_%d.pb", kind, j))); err != nil {
				return nil, err
			}
		}
		return ts, nil
	}
	if c.inputs, err = read("input", len(g.GetInput())); err != nil {
		return nil, err
	}
	if c.outputs, err = read("output", len(g.GetOutput())); err != nil {
		return nil, err
	}
	return c, nil
}

// nodeWeights returns the positions of node n's inputs that hold weights,
// which ONNX's node tests feed as graph inputs but a model exported for
// inference (and the importer) has as initializers; dims gives each
// input's shape. Add, Sub and Mul take a weight where one input
// broadcasts to the other: the smaller one.
func nodeWeights(n *pb.NodeProto, dims func(k int) []int64) []int {
	switch n.GetOpType() {
	case "Gemm", "Conv":
		return []int{1, 2}
	case "MatMul", "Reshape":
		return []int{1}
	case "BatchNormalization":
		return []int{1, 2, 3, 4}
	case "Dropout":
		return []int{1, 2}
	case "Add", "Sub", "Mul":
		a, b := dims(0), dims(1)
		if slices.Equal(a, b) {
			return nil
		}
		count := func(d []int64) int64 {
			p := int64(1)
			for _, x := range d {
				p *= x
			}
			return p
		}
		if count(a) < count(b) {
			return []int{0}
		}
		return []int{1}
	}
	return nil
}

// flattenOutputs makes each float output of g of rank 3 or more, as
// want gives it, flat: an ONNX Flatten (axis 1) of it takes its name. A
// gokeras model's outputs are vectors (nn.NewModel refuses others), and
// Flatten keeps ONNX's row-major order, so the flat output holds ONNX's
// values in ONNX's order and is compared with them as they are.
func flattenOutputs(g *pb.GraphProto, want []*pb.TensorProto) {
	for k, o := range g.GetOutput() {
		if len(want[k].GetDims()) < 3 || want[k].GetDataType() != int32(pb.TensorProto_FLOAT) {
			continue // flat already, or not a value a gokeras model gives
		}
		name := o.GetName()
		inner := name + "_before_flatten"
		for _, n := range g.GetNode() {
			for j, out := range n.GetOutput() {
				if out == name {
					n.Output[j] = inner
				}
			}
		}
		g.Node = append(g.Node, &pb.NodeProto{
			OpType: proto.String("Flatten"),
			Input:  []string{inner},
			Output: []string{name},
			Attribute: []*pb.AttributeProto{{
				Name: proto.String("axis"),
				Type: pb.AttributeProto_INT.Enum(),
				I:    proto.Int64(1),
			}},
		})
		d := want[k].GetDims()
		flat := int64(1)
		for _, x := range d[1:] {
			flat *= x
		}
		o.Type = &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
			ElemType: proto.Int32(want[k].GetDataType()),
			Shape: &pb.TensorShapeProto{Dim: []*pb.TensorShapeProto_Dimension{
				{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: d[0]}},
				{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: flat}},
			}},
		}}}
	}
}

// run imports (a copy of) the test's model, its weights moved from the
// graph's inputs to initializers and its outputs flat (flattenOutputs),
// and predicts its outputs for the test's inputs. It returns the
// predictions, (rows, width) each, and ONNX's outputs; an error is the
// importer's or Predict's (or a tensor the harness cannot read), never
// a wrong answer.
func (c *nodeCase) run(ctx context.Context) (got []*tensor.Dense, want []*constant, err error) {
	model := proto.Clone(c.model).(*pb.ModelProto)
	g := model.GetGraph()
	n := g.GetNode()[0]
	index := map[string]int{}
	for j, vi := range g.GetInput() {
		index[vi.GetName()] = j
	}
	moved := map[int]bool{}
	in := n.GetInput()
	dims := func(k int) []int64 {
		if k >= len(in) {
			return nil
		}
		if j, ok := index[in[k]]; ok {
			return c.inputs[j].GetDims()
		}
		return nil
	}
	for _, k := range nodeWeights(n, dims) {
		if k >= len(in) || in[k] == "" {
			continue // an optional input left out
		}
		if j, ok := index[in[k]]; ok {
			moved[j] = true
		}
	}
	var inputs []*pb.ValueInfoProto
	var xs []*pb.TensorProto
	for j, vi := range g.GetInput() {
		if !moved[j] {
			inputs = append(inputs, vi)
			xs = append(xs, c.inputs[j])
			continue
		}
		w := proto.Clone(c.inputs[j]).(*pb.TensorProto)
		w.Name = proto.String(vi.GetName())
		g.Initializer = append(g.Initializer, w)
	}
	g.Input = inputs
	flattenOutputs(g, c.outputs)
	b, err := proto.Marshal(model)
	if err != nil {
		return nil, nil, errors.Wrap(err, "marshal")
	}
	m, err := Unmarshal(b)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
		return nil, nil, errors.Wrap(err, "compile")
	}
	batch := make([]*tensor.Dense, len(xs))
	for k, x := range xs {
		v, err := decodeTensor(x)
		if err != nil {
			return nil, nil, errors.Wrap(err, "input")
		}
		if !v.isFloat() {
			return nil, nil, errors.Errorf("input %q holds integers", x.GetName())
		}
		batch[k] = tensor.New(tensor.WithShape(v.shape...), tensor.WithBacking(v.f))
	}
	if got, err = m.PredictMulti(ctx, batch, train.Verbose(0)); err != nil {
		return nil, nil, err
	}
	for _, o := range c.outputs {
		v, err := decodeTensor(o)
		if err != nil {
			return nil, nil, errors.Wrap(err, "output")
		}
		want = append(want, v)
	}
	return got, want, nil
}

// compareNodeOutputs returns how each prediction, (rows, width), differs
// from ONNX's output beyond ONNX's backend tolerance (atol 1e-7, rtol
// 1e-3, as numpy's assert_allclose: NaN matches NaN, an infinity itself).
func compareNodeOutputs(got []*tensor.Dense, want []*constant) []string {
	if len(got) != len(want) {
		return []string{fmt.Sprintf("%d outputs, ONNX gives %d", len(got), len(want))}
	}
	var diffs []string
	for k, w := range want {
		var wv []float64
		if w.isFloat() {
			for _, x := range w.f {
				wv = append(wv, float64(x))
			}
		} else {
			for _, x := range w.i {
				wv = append(wv, float64(x))
			}
		}
		s := got[k].Shape()
		if len(w.shape) < 1 || len(s) != 2 || s[0] != w.shape[0] || s[1] != size(w.shape[1:]) {
			diffs = append(diffs, fmt.Sprintf("output %d: shape %v, ONNX's is %v", k, s, w.shape))
			continue
		}
		gv := got[k].Data().([]float32)
		bad, worst, worstDiff := 0, -1, -1.0
		for i, x := range wv {
			y := float64(gv[i])
			diff := math.Abs(y - x)
			ok := diff <= 1e-7+1e-3*math.Abs(x)
			switch {
			case math.IsNaN(x):
				ok = math.IsNaN(y)
			case math.IsInf(x, 0):
				ok = y == x
			}
			if math.IsNaN(diff) {
				diff = math.Inf(1)
			}
			if !ok {
				bad++
				if diff > worstDiff {
					worst, worstDiff = i, diff
				}
			}
		}
		if bad > 0 {
			diffs = append(diffs, fmt.Sprintf("output %d: %d of %d values differ; the worst, value %d, is %v, ONNX's %v", k, bad, len(wv), worst, gv[worst], wv[worst]))
		}
	}
	return diffs
}

// TestONNXNodeTests runs ONNX's own backend node tests for the
// operators the importer reads (testdata/node, written by
// testdata/node/generate.sh from ONNX 1.12): each test that imports must
// give ONNX's outputs within ONNX's tolerance, and each that does not
// must be listed in unsupported with the error it gives. It logs how
// many tests of each operator pass.
func TestONNXNodeTests(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "node", "test_*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no tests in testdata/node: run testdata/node/generate.sh")
	}
	type tally struct{ passed, total int }
	perOp := map[string]*tally{}
	seen := map[string]bool{}
	var all tally
	for _, dir := range dirs {
		c, err := loadNodeCase(dir)
		if err != nil {
			t.Error(err)
			continue
		}
		seen[c.name] = true
		if perOp[c.op] == nil {
			perOp[c.op] = &tally{}
		}
		perOp[c.op].total++
		all.total++
		passed := false
		t.Run(c.name, func(t *testing.T) {
			reason, listed := unsupported[c.name]
			got, want, err := c.run(t.Context())
			switch {
			case err != nil && !listed:
				t.Fatalf("%s: %v (not listed in unsupported)", c.op, err)
			case err != nil && !strings.Contains(err.Error(), reason):
				t.Fatalf("%s: error %q; unsupported says it contains %q", c.op, err, reason)
			case err != nil:
				t.Logf("unsupported, as listed: %v", err)
				return
			}
			if diffs := compareNodeOutputs(got, want); len(diffs) > 0 {
				for _, d := range diffs {
					t.Errorf("%s gives a wrong answer: %s", c.op, d)
				}
				return
			}
			if listed {
				t.Fatalf("%s imports and gives ONNX's outputs, but unsupported lists it (%q): remove it from the list", c.op, reason)
			}
			passed = true
		})
		if passed {
			perOp[c.op].passed++
			all.passed++
		}
	}
	for name := range unsupported {
		if !seen[name] {
			t.Errorf("unsupported lists %s, which is no test in testdata/node", name)
		}
	}
	ops := make([]string, 0, len(perOp))
	for op := range perOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Logf("%-20s passed %3d/%d", op+":", perOp[op].passed, perOp[op].total)
	}
	t.Logf("%-20s passed %3d/%d (%d listed unsupported)", "total:", all.passed, all.total, len(unsupported))
}

// TestCompareNodeOutputs checks the harness's comparison on values
// worked out by hand against ONNX's tolerance, |got − want| ≤ 1e-7 +
// 1e-3·|want|: 1 allows 0.0010001, −1000 allows 1.0000001.
func TestCompareNodeOutputs(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	want := []*constant{{shape: []int{2, 2}, f: []float32{1, -1000, nan, inf}}}
	got := func(shape []int, v ...float32) []*tensor.Dense {
		return []*tensor.Dense{tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))}
	}
	cases := []struct {
		name  string
		got   []*tensor.Dense
		diffs int
	}{
		{"equal", got([]int{2, 2}, 1, -1000, nan, inf), 0},
		{"within the tolerance", got([]int{2, 2}, 1.0009, -1000.9, nan, inf), 0},
		{"past the absolute part", got([]int{2, 2}, 1.0011, -1000, nan, inf), 1},
		{"past the relative part", got([]int{2, 2}, 1, -1001.1, nan, inf), 1},
		{"a number for NaN", got([]int{2, 2}, 1, -1000, 0, inf), 1},
		{"the other infinity", got([]int{2, 2}, 1, -1000, nan, -inf), 1},
		{"another width", got([]int{1, 4}, 1, -1000, nan, inf), 1},
		{"another output count", nil, 1},
	}
	for _, c := range cases {
		if d := compareNodeOutputs(c.got, want); len(d) != c.diffs {
			t.Errorf("%s: %d differences %q, want %d", c.name, len(d), d, c.diffs)
		}
	}
	if d := compareNodeOutputs(got([]int{2, 2}, 1, -1002, nan, inf), want); len(d) != 1 || !strings.Contains(d[0], "value 1, is -1002, ONNX's -1000") {
		t.Errorf("a wrong value is reported as %q", d)
	}
}

// TestONNXNodeTestsCatchWrongWeights runs a passing node test (a Conv)
// with its weight W changed: the imported model must then give another
// answer than ONNX's, which the harness reports, so the weights the
// harness moves into initializers are the ones the model uses.
func TestONNXNodeTestsCatchWrongWeights(t *testing.T) {
	c, err := loadNodeCase(filepath.Join("testdata", "node", "test_basic_conv_without_padding"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := decodeTensor(c.inputs[1])
	if err != nil {
		t.Fatal(err)
	}
	for i := range w.f {
		w.f[i] += 0.5
	}
	c.inputs[1] = &pb.TensorProto{
		Name:      c.inputs[1].Name,
		Dims:      c.inputs[1].GetDims(),
		DataType:  proto.Int32(int32(pb.TensorProto_FLOAT)),
		FloatData: w.f,
	}
	got, want, err := c.run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d := compareNodeOutputs(got, want); len(d) == 0 {
		t.Error("a Conv with other weights gives ONNX's outputs: the harness cannot see a wrong answer")
	}
}
