package onnx

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
)

// minOpset is the oldest opset Import reads. Before opset 7 some of the
// operators it knows had other forms (Add, Sub, Mul, Gemm with a
// "broadcast" attribute, BatchNormalization with "consumed_inputs",
// Dropout with "is_test"...): a node of one of those in an opset older
// than its form (operator.since) is an error; the others (Conv, the
// pools, Flatten...) read in any opset.
const minOpset = 1

// maxOpset is the newest opset Import reads. From 13 to 17 the operators
// Import knows changed only in the element types they accept (and
// Reshape gained allowzero, BatchNormalization training_mode, both
// checked to be off).
const maxOpset = 17

// Load reads the ONNX model in the file at path; see Import.
func Load(path string) (*nn.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, "onnx: load")
	}
	m, err := Unmarshal(b)
	return m, errors.Wrapf(err, "%s", path)
}

// Import reads an ONNX model from r; see Unmarshal.
func Import(r io.Reader) (*nn.Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, errors.Wrap(err, "onnx: import")
	}
	return Unmarshal(b)
}

// Unmarshal returns the ONNX model b as a gokeras model, built, with the
// ONNX weights: Dense, Conv2D, BatchNormalization and the other layers
// of package nn, wired with the functional API, so that once compiled it
// predicts, evaluates, trains (fine-tunes) and saves as any other model.
// Compile it before Predict, as every model.
//
// The model's inputs and outputs are the ONNX graph's, in the ONNX
// layout: a PyTorch image model takes (N, C, H, W) arrays, as ONNX
// Runtime does, and gives what ONNX Runtime gives. The first axis of
// every input is the batch; the others must have fixed sizes. Inside,
// images are channels-last, as gokeras's convolutions want them: a
// Permute layer reorders an image where the ONNX graph's layout and
// gokeras's differ (before the first convolution, before Flatten), and
// nowhere else. A Gemm followed by Relu becomes one Dense layer with a
// ReLU, a Conv and Relu one Conv2D; a MatMul and an Add of a constant
// vector one Dense.
//
// It reads opsets up to 17 of the default domain (from 7 for the
// operators whose form changed before that) and these operators:
// Gemm, MatMul, Add, Sub, Mul, Relu, Sigmoid, Tanh, Softmax, LogSoftmax,
// Flatten, Reshape, Transpose, Conv, MaxPool, AveragePool,
// GlobalAveragePool, BatchNormalization, Dropout, Identity, Concat and
// Constant, with the attributes and shapes gokeras's layers can express
// (2-D convolutions and pools, one group, no dilation; weights that are
// initializers or constants). Anything else — another operator, an
// attribute value it cannot honour, a weight computed from an input, a
// batch axis moved — is an error naming the node, its operator and what
// is wrong.
func Unmarshal(b []byte) (*nn.Model, error) {
	var model pb.ModelProto
	if err := proto.Unmarshal(b, &model); err != nil {
		return nil, errors.Wrap(err, "onnx: not an ONNX model")
	}
	m, err := importModel(&model)
	return m, errors.Wrap(err, "onnx: import")
}

// opset returns the model's version of the default domain, checked.
func opset(model *pb.ModelProto) (int64, error) {
	version := int64(-1)
	for _, o := range model.GetOpsetImport() {
		switch o.GetDomain() {
		case "", "ai.onnx":
			version = o.GetVersion()
		}
	}
	switch {
	case version < 0:
		return 0, errors.New("the model imports no opset of the default ONNX domain")
	case version < minOpset || version > maxOpset:
		return 0, errors.Errorf("opset %d: opsets up to %d are supported (torch.onnx.export(..., opset_version=13) writes 13)", version, maxOpset)
	}
	return version, nil
}

// importModel builds the model of an ONNX graph.
func importModel(model *pb.ModelProto) (*nn.Model, error) {
	version, err := opset(model)
	if err != nil {
		return nil, err
	}
	g := model.GetGraph()
	if g == nil {
		return nil, errors.New("the model has no graph")
	}
	im := &importer{opset: version, values: map[string]*value{}, nodes: g.GetNode(), shared: map[string]nn.Layer{}}
	for _, t := range g.GetInitializer() {
		c, err := decodeTensor(t)
		if err != nil {
			return nil, errors.Wrap(err, "initializer")
		}
		im.values[t.GetName()] = &value{shape: c.shape, c: c}
	}
	if len(g.GetSparseInitializer()) > 0 {
		return nil, errors.New("sparse initializers are not supported")
	}
	var inputs []*nn.Tensor
	for _, vi := range g.GetInput() {
		if _, ok := im.values[vi.GetName()]; ok {
			continue // an initializer listed as an input (IR version 3)
		}
		x, err := im.input(vi)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, x)
	}
	im.uses = map[string]int{}
	for _, n := range im.nodes {
		for _, in := range n.GetInput() {
			im.uses[in]++
		}
	}
	for _, o := range g.GetOutput() {
		im.uses[o.GetName()] += 2 // never fused away
	}
	im.skip = make([]bool, len(im.nodes))
	for i, n := range im.nodes {
		if im.skip[i] {
			continue
		}
		if err := im.node(i, n); err != nil {
			return nil, errors.Wrapf(err, "node %d (%s %q)", i, n.GetOpType(), n.GetName())
		}
	}
	var outputs []*nn.Tensor
	for _, o := range g.GetOutput() {
		v, ok := im.values[o.GetName()]
		switch {
		case !ok:
			return nil, errors.Errorf("output %q is made by no node", o.GetName())
		case v.c != nil:
			return nil, errors.Errorf("output %q is a constant", o.GetName())
		}
		t := im.last(v)
		if _, isInput := t.Layer().(*nn.InputLayer); isInput {
			return nil, errors.Errorf("output %q is an input unchanged", o.GetName())
		}
		outputs = append(outputs, t)
	}
	m, err := nn.NewModel(inputs, outputs)
	if err != nil {
		return nil, err
	}
	if err := m.Build(1); err != nil {
		return nil, err
	}
	for _, set := range im.weights {
		if err := set(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// A value is an ONNX value as gokeras holds it: a constant, or one or
// more tensors holding a computed value's samples in one of three
// layouts. last holds them as ONNX does (shape), first with the ONNX
// channel axis (the first of a sample) moved last, as gokeras's
// convolutions want images, and flat as a vector of the values in ONNX's
// row-major order. A layout is made when first needed, and once.
type value struct {
	shape             []int // one sample's ONNX shape, without the batch
	c                 *constant
	last, first, flat *nn.Tensor
}

// importer builds one model.
type importer struct {
	opset   int64
	nodes   []*pb.NodeProto
	values  map[string]*value
	uses    map[string]int      // readers of each value; outputs count twice
	skip    []bool              // nodes fused into an earlier one
	weights []func() error      // sets the ONNX weights once the model is built
	shared  map[string]nn.Layer // layers by their weights' names, for reuse
}

// input makes the model input described by vi.
func (im *importer) input(vi *pb.ValueInfoProto) (*nn.Tensor, error) {
	name := vi.GetName()
	tt := vi.GetType().GetTensorType()
	if tt == nil {
		return nil, errors.Errorf("input %q is not a tensor", name)
	}
	if pb.TensorProto_DataType(tt.GetElemType()) != pb.TensorProto_FLOAT {
		return nil, errors.Errorf("input %q has element type %s; float inputs are supported", name, pb.TensorProto_DataType(tt.GetElemType()))
	}
	dims := tt.GetShape().GetDim()
	if tt.GetShape() == nil || len(dims) < 2 {
		return nil, errors.Errorf("input %q has shape %s: it needs a batch axis and at least one more, of known sizes", name, describeDims(dims))
	}
	shape := make([]int, len(dims)-1)
	for i, d := range dims[1:] {
		if _, ok := d.GetValue().(*pb.TensorShapeProto_Dimension_DimValue); !ok || d.GetDimValue() <= 0 {
			return nil, errors.Errorf("input %q has shape %s: every axis but the first (the batch) needs a fixed size", name, describeDims(dims))
		}
		shape[i] = int(d.GetDimValue())
	}
	t := nn.NamedInput(strings.ReplaceAll(name, "/", "_"), shape...)
	if err := t.Err(); err != nil {
		return nil, errors.Wrapf(err, "input %q", name)
	}
	v := &value{shape: shape, last: t}
	if len(shape) == 1 {
		v.flat = t
	}
	im.values[name] = v
	return t, nil
}

// describeDims writes a shape with its symbolic dimensions.
func describeDims(dims []*pb.TensorShapeProto_Dimension) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		switch v := d.GetValue().(type) {
		case *pb.TensorShapeProto_Dimension_DimValue:
			s[i] = fmt.Sprint(v.DimValue)
		case *pb.TensorShapeProto_Dimension_DimParam:
			s[i] = v.DimParam
		default:
			s[i] = "?"
		}
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// call calls layer l on xs, turning a failed call into an error.
func call(l nn.Layer, xs ...*nn.Tensor) (*nn.Tensor, error) {
	t := nn.Call(l, xs...)
	return t, t.Err()
}

// mustCall calls a layer the importer has checked will fit its input;
// a failure is the importer's bug, reported as the output's Err (which
// NewModel returns) rather than hidden.
func mustCall(l nn.Layer, x *nn.Tensor) *nn.Tensor { return nn.Call(l, x) }

// reshape returns x reshaped to shape, or x if it has that shape.
func reshape(x *nn.Tensor, shape []int) *nn.Tensor {
	if slices.Equal(x.Shape(), shape) {
		return x
	}
	return mustCall(nn.Reshape(shape), x)
}

// movedShape returns the shape of a sample of the given ONNX shape with
// its first axis moved last.
func movedShape(s []int) []int { return append(slices.Clone(s[1:]), s[0]) }

// sameOrder reports whether moving a sample's first axis last keeps its
// values' order: one channel, or one value per channel.
func sameOrder(s []int) bool { return s[0] == 1 || size(s[1:]) == 1 }

// last returns v's samples in the ONNX layout.
func (im *importer) last(v *value) *nn.Tensor {
	switch {
	case v.last != nil:
	case v.flat != nil:
		v.last = reshape(v.flat, v.shape)
	case sameOrder(v.shape):
		v.last = reshape(v.first, v.shape)
	default:
		r := len(v.shape)
		dims := []int{r} // 1-based, as Keras's Permute
		for i := 1; i < r; i++ {
			dims = append(dims, i)
		}
		v.last = mustCall(nn.Permute(dims), v.first)
	}
	return v.last
}

// first returns v's samples with the channels last; v has rank 2 or more.
func (im *importer) first(v *value) *nn.Tensor {
	switch {
	case v.first != nil:
	case sameOrder(v.shape) && v.flat != nil:
		v.first = reshape(v.flat, movedShape(v.shape))
	case sameOrder(v.shape):
		v.first = reshape(v.last, movedShape(v.shape))
	default:
		r := len(v.shape)
		var dims []int
		for i := 2; i <= r; i++ {
			dims = append(dims, i)
		}
		v.first = mustCall(nn.Permute(append(dims, 1)), im.last(v))
	}
	return v.first
}

// flat returns v's samples as vectors in ONNX's order.
func (im *importer) flat(v *value) *nn.Tensor {
	switch {
	case v.flat != nil:
	case len(v.shape) == 1:
		v.flat = im.last(v)
	case v.last != nil:
		v.flat = mustCall(nn.Flatten(), v.last)
	case sameOrder(v.shape):
		v.flat = mustCall(nn.Flatten(), v.first)
	default:
		v.flat = mustCall(nn.Flatten(), im.last(v))
	}
	return v.flat
}

// computed returns the value named name, which must be computed from the
// inputs, not a constant.
func (im *importer) computed(name string) (*value, error) {
	v, ok := im.values[name]
	switch {
	case name == "":
		return nil, errors.New("a required input is missing")
	case !ok:
		return nil, errors.Errorf("input %q is made by no earlier node", name)
	case v.c != nil:
		return nil, errors.Errorf("input %q is a constant where a computed value is needed", name)
	}
	return v, nil
}

// constantNamed returns the constant named name.
func (im *importer) constantNamed(name, what string) (*constant, error) {
	v, ok := im.values[name]
	switch {
	case !ok:
		return nil, errors.Errorf("%s %q is made by no earlier node", what, name)
	case v.c == nil:
		return nil, errors.Errorf("%s %q is computed from the inputs; it must be an initializer or a constant", what, name)
	}
	return v.c, nil
}

// floatConstant returns the float constant named name.
func (im *importer) floatConstant(name, what string) (*constant, error) {
	c, err := im.constantNamed(name, what)
	if err == nil && !c.isFloat() {
		err = errors.Errorf("%s %q holds integers, not floats", what, name)
	}
	return c, err
}

// set records name as the value v.
func (im *importer) set(name string, v *value) { im.values[name] = v }

// setLast records t, samples in the ONNX layout of shape, as name.
func (im *importer) setLast(name string, t *nn.Tensor) {
	v := &value{shape: t.Shape(), last: t}
	if len(v.shape) == 1 {
		v.flat = t
	}
	im.set(name, v)
}

// next returns the node that alone reads the value name, if one does and
// the value is no graph output.
func (im *importer) next(name string, after int) (int, bool) {
	if im.uses[name] != 1 {
		return 0, false
	}
	for j := after + 1; j < len(im.nodes); j++ {
		if slices.Contains(im.nodes[j].GetInput(), name) {
			return j, true
		}
	}
	return 0, false
}

// fuseActivation looks for an activation node alone reading the value out
// of node i; if there is one it marks it done and returns its activation
// and output. vector says whether the samples are vectors (where a
// softmax over them can fuse).
func (im *importer) fuseActivation(i int, out string, vector bool) (nn.Activation, string) {
	j, ok := im.next(out, i)
	if !ok {
		return nn.Linear, out
	}
	n := im.nodes[j]
	var a nn.Activation
	switch n.GetOpType() {
	case "Relu":
		a = nn.ReLU
	case "Sigmoid":
		a = nn.Sigmoid
	case "Tanh":
		a = nn.Tanh
	case "Softmax":
		axis, err := attrInt(n, "axis", im.softmaxAxis())
		if !vector || err != nil || (axis != 1 && axis != -1) || len(n.GetAttribute()) > 1 {
			return nn.Linear, out
		}
		a = nn.Softmax
	default:
		return nn.Linear, out
	}
	if len(n.GetOutput()) != 1 || n.GetDomain() != "" {
		return nn.Linear, out
	}
	im.skip[j] = true
	return a, n.GetOutput()[0]
}

// softmaxAxis is Softmax's and LogSoftmax's default axis in the model's
// opset.
func (im *importer) softmaxAxis() int64 {
	if im.opset >= 13 {
		return -1
	}
	return 1
}

// node imports node i.
func (im *importer) node(i int, n *pb.NodeProto) error {
	if d := n.GetDomain(); d != "" && d != "ai.onnx" {
		return errors.Errorf("domain %q is not supported (only ONNX's default domain is)", d)
	}
	if len(n.GetOutput()) == 0 {
		return errors.New("the node has no output")
	}
	op, ok := operators[n.GetOpType()]
	if !ok {
		return errors.Errorf("operator %s is not supported (supported: %s)", n.GetOpType(), strings.Join(supported(), ", "))
	}
	if im.opset < op.since {
		return errors.Errorf("%s in opset %d: its form before opset %d is not supported", n.GetOpType(), im.opset, op.since)
	}
	for _, a := range n.GetAttribute() {
		if !slices.Contains(op.attrs, a.GetName()) {
			return errors.Errorf("attribute %s is not supported by the import of %s (it reads %s)", a.GetName(), n.GetOpType(), listOr(op.attrs))
		}
	}
	if len(n.GetInput()) < op.minIn || len(n.GetInput()) > op.maxIn {
		return errors.Errorf("%d inputs; %s takes %d to %d", len(n.GetInput()), n.GetOpType(), op.minIn, op.maxIn)
	}
	for k, o := range n.GetOutput()[1:] {
		if o != "" && im.uses[o] > 0 {
			return errors.Errorf("output %d (%q) is read, but only the first output of %s is supported", k+1, o, n.GetOpType())
		}
	}
	return op.build(im, i, n)
}

// listOr joins names for a message, "none" if there are none.
func listOr(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// alias records node n's first output as its first input, unchanged.
func alias(im *importer, _ int, n *pb.NodeProto) error {
	v, ok := im.values[n.GetInput()[0]]
	if !ok {
		return errors.Errorf("input %q is made by no earlier node", n.GetInput()[0])
	}
	im.set(n.GetOutput()[0], v)
	return nil
}
