package onnx

import (
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// An operator is how Import reads one ONNX operator: the attributes it
// understands (any other is an error), how many inputs it takes, and the
// function that makes its layers.
type operator struct {
	attrs        []string
	minIn, maxIn int
	build        func(im *importer, i int, n *pb.NodeProto) error
	since        int64 // the oldest opset of the form read (0: any)
}

// operators are the ONNX operators Import reads.
var operators map[string]operator

func init() {
	pool := []string{"auto_pad", "kernel_shape", "pads", "strides", "ceil_mode", "dilations"}
	operators = map[string]operator{
		"Gemm":               {[]string{"alpha", "beta", "transA", "transB"}, 2, 3, gemm, 7},
		"MatMul":             {nil, 2, 2, matMul, 0},
		"Add":                {nil, 2, 2, arithmetic, 7},
		"Sub":                {nil, 2, 2, arithmetic, 7},
		"Mul":                {nil, 2, 2, arithmetic, 7},
		"Relu":               {nil, 1, 1, activation, 6},
		"Sigmoid":            {nil, 1, 1, activation, 6},
		"Tanh":               {nil, 1, 1, activation, 6},
		"Softmax":            {[]string{"axis"}, 1, 1, softmax, 0},
		"LogSoftmax":         {[]string{"axis"}, 1, 1, softmax, 0},
		"Flatten":            {[]string{"axis"}, 1, 1, flatten, 0},
		"Reshape":            {[]string{"allowzero"}, 2, 2, reshapeOp, 5},
		"Transpose":          {[]string{"perm"}, 1, 1, transpose, 0},
		"Conv":               {[]string{"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}, 2, 3, conv, 0},
		"MaxPool":            {append(slices.Clone(pool), "storage_order"), 1, 1, pooling, 1},
		"AveragePool":        {append(slices.Clone(pool), "count_include_pad"), 1, 1, pooling, 7},
		"GlobalAveragePool":  {nil, 1, 1, globalAveragePool, 0},
		"BatchNormalization": {[]string{"epsilon", "momentum", "spatial", "training_mode"}, 5, 5, batchNormalization, 7},
		"Dropout":            {[]string{"ratio", "seed"}, 1, 3, alias, 7},
		"Identity":           {nil, 1, 1, alias, 0},
		"Concat":             {[]string{"axis"}, 1, 1 << 20, concat, 4},
		"Pad":                {[]string{"mode", "pads", "value"}, 1, 3, padOp, 2},
		"Constant":           {[]string{"value", "value_float", "value_floats", "value_int", "value_ints"}, 0, 0, constantOp, 1},
	}
}

// supported lists the operators Import reads, sorted.
func supported() []string {
	names := make([]string, 0, len(operators))
	for k := range operators {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// attribute returns n's attribute name, or nil.
func attribute(n *pb.NodeProto, name string) *pb.AttributeProto {
	for _, a := range n.GetAttribute() {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

// attrInt returns n's integer attribute name, or def if it has none.
func attrInt(n *pb.NodeProto, name string, def int64) (int64, error) {
	a := attribute(n, name)
	if a == nil {
		return def, nil
	}
	if a.GetType() != pb.AttributeProto_INT {
		return 0, errors.Errorf("attribute %s is a %s, not an integer", name, a.GetType())
	}
	return a.GetI(), nil
}

// attrFloat returns n's float attribute name, or def if it has none.
func attrFloat(n *pb.NodeProto, name string, def float32) (float32, error) {
	a := attribute(n, name)
	if a == nil {
		return def, nil
	}
	if a.GetType() != pb.AttributeProto_FLOAT {
		return 0, errors.Errorf("attribute %s is a %s, not a float", name, a.GetType())
	}
	return a.GetF(), nil
}

// attrInts returns n's integer-list attribute name, or def if it has none.
func attrInts(n *pb.NodeProto, name string, def []int64) ([]int64, error) {
	a := attribute(n, name)
	if a == nil {
		return def, nil
	}
	if a.GetType() != pb.AttributeProto_INTS {
		return nil, errors.Errorf("attribute %s is a %s, not a list of integers", name, a.GetType())
	}
	return a.GetInts(), nil
}

// attrString returns n's string attribute name, or def if it has none.
func attrString(n *pb.NodeProto, name, def string) (string, error) {
	a := attribute(n, name)
	if a == nil {
		return def, nil
	}
	if a.GetType() != pb.AttributeProto_STRING {
		return "", errors.Errorf("attribute %s is a %s, not a string", name, a.GetType())
	}
	return string(a.GetS()), nil
}

// requireInt checks that n's integer attribute name, if given, is want.
func requireInt(n *pb.NodeProto, name string, want int64, why string) error {
	v, err := attrInt(n, name, want)
	if err == nil && v != want {
		err = errors.Errorf("attribute %s=%d is not supported: %s", name, v, why)
	}
	return err
}

// requireOnes checks that n's integer-list attribute name, if given, is
// all ones (dilations).
func requireOnes(n *pb.NodeProto, name string) error {
	v, err := attrInts(n, name, nil)
	if err != nil {
		return err
	}
	for _, d := range v {
		if d != 1 {
			return errors.Errorf("attribute %s=%v is not supported: only 1s (no dilation)", name, v)
		}
	}
	return nil
}

// fill copies src into a built layer's weight.
func fill(layer nn.Layer, what string, dst *tensor.Dense, src []float32) error {
	if dst == nil {
		return errors.Errorf("internal error: layer %s has no %s", layer.Name(), what)
	}
	d := dst.Data().([]float32)
	if len(d) != len(src) {
		return errors.Errorf("internal error: layer %s's %s holds %d values, the ONNX weight %d", layer.Name(), what, len(d), len(src))
	}
	copy(d, src)
	return nil
}

// vectorBias returns the values of a bias constant broadcast to units
// values: a scalar, (units) or (1, units); ok is false for other shapes.
func vectorBias(c *constant, units int, scale float32) ([]float32, bool) {
	var s []int
	for _, d := range c.shape {
		if d != 1 || len(s) > 0 {
			s = append(s, d)
		}
	}
	b := make([]float32, units)
	switch {
	case len(c.f) == 1:
		for i := range b {
			b[i] = scale * c.f[0]
		}
	case len(s) == 1 && s[0] == units:
		for i := range b {
			b[i] = scale * c.f[i]
		}
	default:
		return nil, false
	}
	return b, true
}

// dense makes a Dense layer of the given kernel (k, units) and bias on
// the vectors v, with the activation of a node fused after it, and
// records its output as out.
//
// Nodes of the same weights (key names them and the attributes) share
// one layer, as a gokeras model calling one Dense layer twice exports.
func dense(im *importer, i int, v *value, key string, kernel []float32, units int, bias []float32, out string) error {
	act, out := im.fuseActivation(i, out, true)
	key += "|" + act.Name()
	if layer, ok := im.shared[key]; ok {
		t, err := call(layer, im.flat(v))
		if err != nil {
			return err
		}
		im.setLast(out, t)
		return nil
	}
	layer := nn.Dense(units, act)
	t, err := call(layer, im.flat(v))
	if err != nil {
		return err
	}
	im.shared[key] = layer
	im.setLast(out, t)
	if bias == nil {
		bias = make([]float32, units)
	}
	im.weights = append(im.weights, func() error {
		if err := fill(layer, "kernel", layer.Kernel(), kernel); err != nil {
			return err
		}
		return fill(layer, "bias", layer.Bias(), bias)
	})
	return nil
}

// vectors returns the computed value name, which must have vector
// samples ((N, K) in ONNX).
func (im *importer) vectors(name, op string) (*value, error) {
	v, err := im.computed(name)
	if err == nil && len(v.shape) != 1 {
		err = errors.Errorf("input %q has shape (N, %s): %s takes (N, K) matrices", name, intsString(v.shape), op)
	}
	return v, err
}

// gemm imports Gemm as a Dense layer: Y = alpha·A·B + beta·C with A the
// samples, B and C constants.
func gemm(im *importer, i int, n *pb.NodeProto) error {
	in := n.GetInput()
	a, err := im.vectors(in[0], "Gemm")
	if err != nil {
		return err
	}
	if err := requireInt(n, "transA", 0, "A's rows are the batch"); err != nil {
		return err
	}
	transB, err := attrInt(n, "transB", 0)
	if err != nil {
		return err
	}
	alpha, err := attrFloat(n, "alpha", 1)
	if err != nil {
		return err
	}
	beta, err := attrFloat(n, "beta", 1)
	if err != nil {
		return err
	}
	b, err := im.floatConstant(in[1], "B")
	if err != nil {
		return err
	}
	if len(b.shape) != 2 {
		return errors.Errorf("B has shape (%s); Gemm needs a matrix", intsString(b.shape))
	}
	k, units := b.shape[0], b.shape[1]
	if transB != 0 {
		k, units = units, k
	}
	if k != a.shape[0] {
		return errors.Errorf("A has %d columns but B (transB=%d) %d rows", a.shape[0], transB, k)
	}
	kernel := make([]float32, k*units)
	for r := 0; r < k; r++ {
		for c := 0; c < units; c++ {
			if transB != 0 {
				kernel[r*units+c] = alpha * b.f[c*k+r]
			} else {
				kernel[r*units+c] = alpha * b.f[r*units+c]
			}
		}
	}
	var bias []float32
	if len(in) == 3 && in[2] != "" {
		c, err := im.floatConstant(in[2], "C")
		if err != nil {
			return err
		}
		var ok bool
		if bias, ok = vectorBias(c, units, beta); !ok {
			return errors.Errorf("C has shape (%s); a scalar, (%d) or (1, %d) is supported", intsString(c.shape), units, units)
		}
	}
	key := fmt.Sprintf("Gemm|%q|%d|%g|%g", in[1:], transB, alpha, beta)
	return dense(im, i, a, key, kernel, units, bias, n.GetOutput()[0])
}

// matMul imports MatMul of vectors by a constant matrix as a Dense layer,
// with the bias of an Add of a constant vector that alone follows it.
func matMul(im *importer, i int, n *pb.NodeProto) error {
	in := n.GetInput()
	a, err := im.vectors(in[0], "MatMul")
	if err != nil {
		return err
	}
	b, err := im.floatConstant(in[1], "B")
	if err != nil {
		return err
	}
	if len(b.shape) != 2 || b.shape[0] != a.shape[0] {
		return errors.Errorf("B has shape (%s); MatMul of (N, %d) needs a constant (%d, M)", intsString(b.shape), a.shape[0], a.shape[0])
	}
	units := b.shape[1]
	out := n.GetOutput()[0]
	var bias []float32
	key := fmt.Sprintf("MatMul|%q", in[1])
	if j, ok := im.next(out, i); ok && im.nodes[j].GetOpType() == "Add" && len(im.nodes[j].GetOutput()) == 1 {
		other := im.nodes[j].GetInput()[0]
		if other == out {
			other = im.nodes[j].GetInput()[1]
		}
		if v, ok := im.values[other]; ok && v.c != nil && v.c.isFloat() {
			if bias, ok = vectorBias(v.c, units, 1); ok {
				im.skip[j] = true
				out, i = im.nodes[j].GetOutput()[0], j
				key += fmt.Sprintf("|%q", other)
			}
		}
	}
	return dense(im, i, a, key, slices.Clone(b.f), units, bias, out)
}

// layout is where a value's samples are: ONNX's layout, channels last,
// or flat.
type layout int

const (
	inLast layout = iota
	inFirst
	inFlat
)

// some returns one layout v already has, preferring channels last (where
// gokeras's convolutions work), then ONNX's, then flat.
func some(v *value) (layout, *nn.Tensor) {
	switch {
	case v.first != nil:
		return inFirst, v.first
	case v.last != nil:
		return inLast, v.last
	}
	return inFlat, v.flat
}

// in returns v's samples in layout l.
func (im *importer) in(v *value, l layout) *nn.Tensor {
	switch l {
	case inFirst:
		return im.first(v)
	case inLast:
		return im.last(v)
	}
	return im.flat(v)
}

// setIn records t, v's samples in layout l, as name; v's shape.
func (im *importer) setIn(name string, shape []int, l layout, t *nn.Tensor) {
	out := &value{shape: slices.Clone(shape)}
	switch l {
	case inFirst:
		out.first = t
	case inLast:
		out.last = t
		if len(shape) == 1 {
			out.flat = t
		}
	default:
		out.flat = t
		if len(shape) == 1 {
			out.last = t
		}
	}
	im.set(name, out)
}

// activation imports Relu, Sigmoid and Tanh, in whatever layout their
// input is.
func activation(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.computed(n.GetInput()[0])
	if err != nil {
		return err
	}
	a := map[string]nn.Activation{"Relu": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}[n.GetOpType()]
	l, x := some(v)
	t, err := call(nn.Activate(a), x)
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], v.shape, l, t)
	return nil
}

// softmax imports Softmax and LogSoftmax over each sample's values: in
// opsets before 13 with axis 1 (the sample flattened), from 13 over the
// last axis of vector samples.
func softmax(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.computed(n.GetInput()[0])
	if err != nil {
		return err
	}
	axis, err := attrInt(n, "axis", im.softmaxAxis())
	if err != nil {
		return err
	}
	r := int64(len(v.shape) + 1)
	if axis < 0 {
		axis += r
	}
	ok := axis == r-1 && r == 2 // one axis per sample: the same in every opset
	if im.opset < 13 && axis == 1 {
		ok = true // the samples flattened
	}
	if !ok {
		return errors.Errorf("axis %d of (N, %s) in opset %d: only the softmax over each whole sample is supported", axis, intsString(v.shape), im.opset)
	}
	a := nn.Softmax
	if n.GetOpType() == "LogSoftmax" {
		a = nn.LogSoftmax
	}
	t, err := call(nn.Activate(a), im.flat(v))
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], v.shape, inFlat, t)
	return nil
}

// flatten imports Flatten at axis 1 (the batch kept).
func flatten(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.computed(n.GetInput()[0])
	if err != nil {
		return err
	}
	axis, err := attrInt(n, "axis", 1)
	if err != nil {
		return err
	}
	if axis < 0 {
		axis += int64(len(v.shape) + 1)
	}
	if axis != 1 {
		return errors.Errorf("axis %d: only axis 1 is supported (the batch axis stays the first)", axis)
	}
	im.setIn(n.GetOutput()[0], []int{size(v.shape)}, inFlat, im.flat(v))
	return nil
}

// reshapeOp imports Reshape to a constant shape that keeps the batch
// axis: its first entry 0, or -1 with the others fixed.
func reshapeOp(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.computed(n.GetInput()[0])
	if err != nil {
		return err
	}
	if err := requireInt(n, "allowzero", 0, "a 0 in the shape copies the input's size"); err != nil {
		return err
	}
	c, err := im.constantNamed(n.GetInput()[1], "shape")
	if err != nil {
		return err
	}
	if c.isFloat() || len(c.shape) != 1 || len(c.i) < 2 {
		return errors.Errorf("shape %q must be a list of at least 2 integers (the batch and one more), got a constant of shape (%s)", n.GetInput()[1], intsString(c.shape))
	}
	if c.i[0] != 0 && c.i[0] != -1 {
		return errors.Errorf("shape %v fixes the batch axis at %d; give 0 or -1 for it (export with a dynamic batch axis: torch.onnx.export(..., dynamic_axes={'input': {0: 'N'}}))", c.i, c.i[0])
	}
	target := make([]int, len(c.i)-1)
	free := -1
	known := 1
	for k, d := range c.i[1:] {
		switch {
		case d == 0 && k < len(v.shape):
			target[k] = v.shape[k]
		case d == -1 && free < 0 && c.i[0] == 0:
			free = k
			continue
		case d > 0:
			target[k] = int(d)
		default:
			return errors.Errorf("shape %v: entry %d (%d) is not supported", c.i, k+1, d)
		}
		known *= target[k]
	}
	total := size(v.shape)
	if free >= 0 {
		if known == 0 || total%known != 0 {
			return errors.Errorf("shape %v does not divide the %d values of a sample", c.i, total)
		}
		target[free] = total / known
		known *= target[free]
	}
	if known != total {
		return errors.Errorf("shape %v holds %d values per sample, the input (N, %s) %d", c.i, known, intsString(v.shape), total)
	}
	out := n.GetOutput()[0]
	switch {
	case slices.Equal(target, v.shape):
		im.set(out, v)
	case len(target) == 1:
		im.setIn(out, target, inFlat, im.flat(v))
	default:
		x := v.last
		if x == nil {
			x = im.flat(v)
		}
		im.setIn(out, target, inLast, reshape(x, target))
	}
	return nil
}

// transpose imports Transpose that keeps the batch axis first: moving
// the channels last or first makes no layer, where the other layout is
// at hand; other orders a Permute layer.
func transpose(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.computed(n.GetInput()[0])
	if err != nil {
		return err
	}
	r := len(v.shape)
	perm, err := attrInts(n, "perm", nil)
	if err != nil {
		return err
	}
	if perm == nil {
		return errors.New("no perm: the default reverses the axes, moving the batch axis")
	}
	if len(perm) != r+1 || perm[0] != 0 {
		return errors.Errorf("perm %v of (N, %s): the batch axis must stay first", perm, intsString(v.shape))
	}
	q := make([]int, r) // the samples' permutation, from 0
	seen := make([]bool, r)
	for k, p := range perm[1:] {
		if p < 1 || p > int64(r) || seen[p-1] {
			return errors.Errorf("perm %v is not a permutation of the %d axes", perm, r+1)
		}
		seen[p-1] = true
		q[k] = int(p - 1)
	}
	shape := make([]int, r)
	for k, p := range q {
		shape[k] = v.shape[p]
	}
	toLast, toFirst, identity := true, true, true
	for k, p := range q {
		identity = identity && p == k
		toLast = toLast && p == (k+1)%r
		toFirst = toFirst && p == (k+r-1)%r
	}
	out := n.GetOutput()[0]
	switch {
	case identity:
		im.set(out, v)
	case toLast: // (C, H, W) → (H, W, C): v's channels-last layout as is
		im.setIn(out, shape, inLast, im.first(v))
	case toFirst: // (H, W, C) → (C, H, W): v as is is the result's channels-last layout
		im.setIn(out, shape, inFirst, im.last(v))
	case v.last == nil && v.first != nil:
		// Permute the channels-last layout at hand: ONNX axis a of a
		// sample is its axis (a − 1) mod r.
		dims := make([]int, r)
		for k, p := range q {
			dims[k] = (p+r-1)%r + 1
		}
		t, err := call(nn.Permute(dims), v.first)
		if err != nil {
			return err
		}
		im.setIn(out, shape, inLast, t)
	default:
		dims := make([]int, r)
		for k, p := range q {
			dims[k] = p + 1
		}
		t, err := call(nn.Permute(dims), im.last(v))
		if err != nil {
			return err
		}
		im.setIn(out, shape, inLast, t)
	}
	return nil
}

// images returns the computed value name, which must hold (N, C, H, W)
// images.
func (im *importer) images(name, op string) (*value, error) {
	v, err := im.computed(name)
	if err == nil && len(v.shape) != 3 {
		err = errors.Errorf("input %q has shape (N, %s); %s of (N, C, H, W) images is supported", name, intsString(v.shape), op)
	}
	return v, err
}

// window works out the padding of a 2-D convolution or pool of the
// given kernel over (C, H, W) images: "valid", "same" (TensorFlow's, the
// odd pixel after), or explicit (top, bottom), (left, right) pads for a
// ZeroPadding2D layer before a valid window.
func window(n *pb.NodeProto, x []int, kernel, strides [2]int) (padding string, pads [2][2]int, err error) {
	autoPad, err := attrString(n, "auto_pad", "NOTSET")
	if err != nil {
		return "", pads, err
	}
	same := samePads(x, kernel, strides)
	switch autoPad {
	case "VALID":
		return "valid", pads, nil
	case "SAME_UPPER":
		return "same", pads, nil
	case "SAME_LOWER":
		for k := 0; k < 2; k++ {
			pads[k] = [2]int{same[k][1], same[k][0]}
		}
	case "NOTSET", "":
		p, err := attrInts(n, "pads", []int64{0, 0, 0, 0})
		if err != nil {
			return "", pads, err
		}
		if len(p) != 4 {
			return "", pads, errors.Errorf("pads %v: 2-D windows take 4 pads", p)
		}
		for k := 0; k < 4; k++ {
			if p[k] < 0 || p[k] > 1<<16 {
				return "", pads, errors.Errorf("pads %v: each must be from 0 to 65536", p)
			}
		}
		pads = [2][2]int{{int(p[0]), int(p[2])}, {int(p[1]), int(p[3])}}
	default:
		return "", pads, errors.Errorf("auto_pad %q is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", autoPad)
	}
	switch pads {
	case [2][2]int{}:
		return "valid", pads, nil
	case same:
		return "same", pads, nil
	}
	return "", pads, nil
}

// pair reads a 2-D attribute such as strides, def where absent.
func pair(n *pb.NodeProto, name string, def [2]int) ([2]int, error) {
	v, err := attrInts(n, name, nil)
	if err != nil || v == nil {
		return def, err
	}
	if len(v) != 2 || v[0] < 1 || v[1] < 1 || v[0] > 1<<16 || v[1] > 1<<16 {
		return def, errors.Errorf("attribute %s=%v: 2-D windows take two positive values", name, v)
	}
	return [2]int{int(v[0]), int(v[1])}, nil
}

// padded returns x (channels last) with the given zero pads, if any.
func padded(x *nn.Tensor, pads [2][2]int) (*nn.Tensor, error) {
	if pads == ([2][2]int{}) {
		return x, nil
	}
	return call(nn.ZeroPadding2D(pads), x)
}

// conv imports a 2-D Conv of one group as a Conv2D layer (after a
// ZeroPadding2D where its pads are neither none nor TensorFlow's same).
func conv(im *importer, i int, n *pb.NodeProto) error {
	in := n.GetInput()
	v, err := im.images(in[0], "Conv")
	if err != nil {
		return err
	}
	if err := requireInt(n, "group", 1, "grouped and depthwise convolutions are not"); err != nil {
		return err
	}
	if err := requireOnes(n, "dilations"); err != nil {
		return err
	}
	w, err := im.floatConstant(in[1], "W")
	if err != nil {
		return err
	}
	if len(w.shape) != 4 || w.shape[1] != v.shape[0] || w.shape[0] < 1 || w.shape[2] < 1 || w.shape[3] < 1 {
		return errors.Errorf("W has shape (%s); a 2-D convolution of %d channels needs (M, %d, kH, kW)", intsString(w.shape), v.shape[0], v.shape[0])
	}
	o, c, kh, kw := w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	if ks, err := attrInts(n, "kernel_shape", nil); err != nil {
		return err
	} else if ks != nil && (len(ks) != 2 || ks[0] != int64(kh) || ks[1] != int64(kw)) {
		return errors.Errorf("kernel_shape %v disagrees with W's (%d, %d)", ks, kh, kw)
	}
	strides, err := pair(n, "strides", [2]int{1, 1})
	if err != nil {
		return err
	}
	padding, pads, err := window(n, v.shape, [2]int{kh, kw}, strides)
	if err != nil {
		return err
	}
	x := im.first(v)
	if padding == "" {
		if x, err = padded(x, pads); err != nil {
			return err
		}
		padding = "valid"
	}
	kernel := make([]float32, len(w.f))
	for oc := 0; oc < o; oc++ {
		for ic := 0; ic < c; ic++ {
			for h := 0; h < kh; h++ {
				for ww := 0; ww < kw; ww++ {
					kernel[((h*kw+ww)*c+ic)*o+oc] = w.f[((oc*c+ic)*kh+h)*kw+ww]
				}
			}
		}
	}
	bias := make([]float32, o)
	if len(in) == 3 && in[2] != "" {
		b, err := im.floatConstant(in[2], "B")
		if err != nil {
			return err
		}
		if len(b.f) != o {
			return errors.Errorf("B has shape (%s); want (%d)", intsString(b.shape), o)
		}
		copy(bias, b.f)
	}
	act, out := im.fuseActivation(i, n.GetOutput()[0], false)
	layer := nn.Conv2D(o, [2]int{kh, kw}, act, nn.Strides(strides[0], strides[1]), nn.Padding(padding))
	t, err := call(layer, x)
	if err != nil {
		return err
	}
	im.setIn(out, movedBack(t.Shape()), inFirst, t)
	im.weights = append(im.weights, func() error {
		if err := fill(layer, "kernel", layer.Kernel(), kernel); err != nil {
			return err
		}
		return fill(layer, "bias", layer.Bias(), bias)
	})
	return nil
}

// movedBack returns the ONNX shape of channels-last samples of shape s.
func movedBack(s []int) []int {
	return append([]int{s[len(s)-1]}, s[:len(s)-1]...)
}

// pooling imports MaxPool and AveragePool as MaxPooling2D and
// AveragePooling2D.
func pooling(im *importer, _ int, n *pb.NodeProto) error {
	op := n.GetOpType()
	v, err := im.images(n.GetInput()[0], op)
	if err != nil {
		return err
	}
	if err := requireInt(n, "ceil_mode", 0, "windows that run past the edge are not"); err != nil {
		return err
	}
	if err := requireInt(n, "storage_order", 0, "the indices output is not"); err != nil {
		return err
	}
	if err := requireOnes(n, "dilations"); err != nil {
		return err
	}
	kernel, err := pair(n, "kernel_shape", [2]int{})
	if err != nil {
		return err
	}
	if kernel == ([2]int{}) {
		return errors.New("no kernel_shape")
	}
	strides, err := pair(n, "strides", [2]int{1, 1})
	if err != nil {
		return err
	}
	padding, pads, err := window(n, v.shape, kernel, strides)
	if err != nil {
		return err
	}
	countPad, err := attrInt(n, "count_include_pad", 0)
	if err != nil {
		return err
	}
	x := im.first(v)
	if op == "AveragePool" && countPad != 0 && padding == "same" {
		padding, pads = "", samePads(v.shape, kernel, strides)
	}
	if padding == "" {
		if op == "MaxPool" || countPad == 0 {
			return errors.Errorf("pads (%d, %d), (%d, %d) (top, bottom, left, right): %s supports none or TensorFlow's same%s", pads[0][0], pads[0][1], pads[1][0], pads[1][1], op, map[bool]string{true: "", false: "; with count_include_pad=1, any"}[op == "MaxPool"])
		}
		if x, err = padded(x, pads); err != nil {
			return err
		}
		padding = "valid"
	}
	opts := []nn.Option{nn.Strides(strides[0], strides[1]), nn.Padding(padding)}
	var layer nn.Layer = nn.MaxPooling2D(kernel, opts...)
	if op == "AveragePool" {
		layer = nn.AveragePooling2D(kernel, opts...)
	}
	t, err := call(layer, x)
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], movedBack(t.Shape()), inFirst, t)
	return nil
}

// samePads returns TensorFlow's same pads ((top, bottom), (left, right))
// of a window over (C, H, W) images: the odd pixel after.
func samePads(x []int, kernel, strides [2]int) [2][2]int {
	var same [2][2]int
	for k := 0; k < 2; k++ {
		out := (x[k+1] + strides[k] - 1) / strides[k]
		total := max((out-1)*strides[k]+kernel[k]-x[k+1], 0)
		same[k] = [2]int{total / 2, total - total/2}
	}
	return same
}

// globalAveragePool imports GlobalAveragePool of images as
// GlobalAveragePooling2D; its (N, C, 1, 1) result is flat already.
func globalAveragePool(im *importer, _ int, n *pb.NodeProto) error {
	v, err := im.images(n.GetInput()[0], "GlobalAveragePool")
	if err != nil {
		return err
	}
	t, err := call(nn.GlobalAveragePooling2D(), im.first(v))
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], []int{v.shape[0], 1, 1}, inFlat, t)
	return nil
}

// batchNormalization imports inference-mode BatchNormalization of
// vectors or of images' channels as a BatchNormalization layer holding
// the ONNX scale, bias, mean and variance, its momentum and epsilon.
func batchNormalization(im *importer, _ int, n *pb.NodeProto) error {
	in := n.GetInput()
	v, err := im.computed(in[0])
	if err != nil {
		return err
	}
	if len(v.shape) > 3 {
		return errors.Errorf("input of shape (N, %s): BatchNormalization of vectors, sequences and images is supported", intsString(v.shape))
	}
	if err := requireInt(n, "spatial", 1, "one mean and variance per channel is"); err != nil {
		return err
	}
	if err := requireInt(n, "training_mode", 0, "the import is of inference graphs"); err != nil {
		return err
	}
	eps, err := attrFloat(n, "epsilon", 1e-5)
	if err != nil {
		return err
	}
	momentum, err := attrFloat(n, "momentum", 0.9)
	if err != nil {
		return err
	}
	ch := v.shape[0]
	names := []string{"scale", "B", "mean", "var"}
	ws := make([][]float32, 4)
	for k, name := range names {
		c, err := im.floatConstant(in[k+1], name)
		if err != nil {
			return err
		}
		if len(c.f) != ch || len(c.shape) != 1 {
			return errors.Errorf("%s has shape (%s); want (%d), one per channel", name, intsString(c.shape), ch)
		}
		ws[k] = c.f
	}
	layer := nn.BatchNormalization()
	layer.Momentum, layer.Epsilon = float64(momentum), float64(eps)
	l := inFirst
	if len(v.shape) == 1 {
		l = inLast
	}
	t, err := call(layer, im.in(v, l))
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], v.shape, l, t)
	im.weights = append(im.weights, func() error {
		for k, w := range []*tensor.Dense{layer.Gamma(), layer.Beta(), layer.MovingMean(), layer.MovingVariance()} {
			if err := fill(layer, names[k], w, ws[k]); err != nil {
				return err
			}
		}
		return nil
	})
	return nil
}

// concat imports Concat along an axis other than the batch, channels
// last where every input has that layout at hand.
func concat(im *importer, _ int, n *pb.NodeProto) error {
	axis, err := attrInt(n, "axis", 1<<40)
	if err != nil {
		return err
	}
	if axis == 1<<40 {
		return errors.New("no axis")
	}
	var vs []*value
	for _, name := range n.GetInput() {
		v, err := im.computed(name)
		if err != nil {
			return err
		}
		if len(vs) > 0 && len(v.shape) != len(vs[0].shape) {
			return errors.Errorf("inputs of shapes (N, %s) and (N, %s) have different ranks", intsString(vs[0].shape), intsString(v.shape))
		}
		vs = append(vs, v)
	}
	r := len(vs[0].shape)
	if axis < 0 {
		axis += int64(r + 1)
	}
	if axis < 1 || axis > int64(r) {
		return errors.Errorf("axis %d of (N, %s): only an axis of the samples (1 to %d) can be joined along", axis, intsString(vs[0].shape), r)
	}
	if len(vs) == 1 {
		im.set(n.GetOutput()[0], vs[0])
		return nil
	}
	l := inLast
	if r > 1 {
		l = inFirst
		for _, v := range vs {
			if v.first == nil {
				l = inLast
			}
		}
	}
	a := int(axis) - 1 // in the samples, ONNX's layout
	shape := slices.Clone(vs[0].shape)
	shape[a] = 0
	xs := make([]*nn.Tensor, len(vs))
	for k, v := range vs {
		shape[a] += v.shape[a]
		xs[k] = im.in(v, l)
	}
	layer := nn.Concatenate()
	layer.Axis = a + 1
	if l == inFirst {
		layer.Axis = a // spatial axes move one down
		if a == 0 {
			layer.Axis = -1 // the channels, last
		}
	}
	t, err := call(layer, xs...)
	if err != nil {
		return err
	}
	im.setIn(n.GetOutput()[0], shape, l, t)
	return nil
}

// constantOp imports Constant.
func constantOp(im *importer, _ int, n *pb.NodeProto) error {
	if len(n.GetAttribute()) != 1 {
		return errors.Errorf("%d attributes; Constant takes one", len(n.GetAttribute()))
	}
	a := n.GetAttribute()[0]
	var c *constant
	switch a.GetName() {
	case "value":
		var err error
		if c, err = decodeTensor(a.GetT()); err != nil {
			return err
		}
	case "value_float":
		c = &constant{f: []float32{a.GetF()}}
	case "value_floats":
		c = &constant{shape: []int{len(a.GetFloats())}, f: slices.Clone(a.GetFloats())}
	case "value_int":
		c = &constant{i: []int64{a.GetI()}}
	case "value_ints":
		c = &constant{shape: []int{len(a.GetInts())}, i: append(make([]int64, 0, len(a.GetInts())), a.GetInts()...)}
	}
	im.set(n.GetOutput()[0], &value{shape: c.shape, c: c})
	return nil
}

// intsString writes a shape's sizes, comma-separated.
func intsString(s []int) string {
	out := ""
	for k, d := range s {
		if k > 0 {
			out += ", "
		}
		out += strconv.Itoa(d)
	}
	return out
}

// arithmetic imports Add, Sub and Mul: of two computed values of one
// shape as the merge layers Add, Subtract and Multiply; of a computed
// value and a constant broadcast to its samples as a ConstantOp layer.
func arithmetic(im *importer, _ int, n *pb.NodeProto) error {
	op := n.GetOpType()
	in := n.GetInput()
	a, aok := im.values[in[0]]
	b, bok := im.values[in[1]]
	if !aok || !bok {
		return errors.Errorf("input %q or %q is made by no earlier node", in[0], in[1])
	}
	out := n.GetOutput()[0]
	switch {
	case a.c != nil && b.c != nil:
		return errors.New("both inputs are constants (fold them before exporting: torch.onnx.export(..., do_constant_folding=True))")
	case a.c == nil && b.c == nil:
		if !slices.Equal(a.shape, b.shape) {
			return errors.Errorf("inputs of shapes (N, %s) and (N, %s): two computed values must have the same shape", intsString(a.shape), intsString(b.shape))
		}
		l, _ := some(a)
		if l != inFlat && (l == inFirst) != (b.first != nil) {
			l = inLast
		}
		var layer nn.Layer
		switch op {
		case "Add":
			layer = nn.Add()
		case "Sub":
			layer = nn.Subtract()
		default:
			layer = nn.Multiply()
		}
		t, err := call(layer, im.in(a, l), im.in(b, l))
		if err != nil {
			return err
		}
		im.setIn(out, a.shape, l, t)
		return nil
	}
	kind := map[string]string{"Add": "add", "Sub": "sub", "Mul": "mul"}[op]
	x, c := a, b.c
	if a.c != nil {
		x, c = b, a.c
		if op == "Sub" {
			kind = "rsub"
		}
	}
	if !c.isFloat() {
		return errors.New("the constant holds integers, not floats")
	}
	full, err := broadcast(c, x.shape)
	if err != nil {
		return err
	}
	l, _ := some(x)
	shape := x.shape
	if l == inFirst {
		full, shape = channelsLast(full, x.shape), movedShape(x.shape)
	}
	t, err := call(newConstantOp(kind, full, shape), im.in(x, l))
	if err != nil {
		return err
	}
	im.setIn(out, x.shape, l, t)
	return nil
}

// broadcast returns c's values broadcast, as numpy does, to one sample of
// the given shape (a leading batch axis of c must be 1).
func broadcast(c *constant, shape []int) ([]float32, error) {
	cs := slices.Clone(c.shape)
	for len(cs) > len(shape) {
		if cs[0] != 1 {
			return nil, errors.Errorf("a constant of shape (%s) does not broadcast to (N, %s) with one value for every sample", intsString(c.shape), intsString(shape))
		}
		cs = cs[1:]
	}
	for len(cs) < len(shape) {
		cs = append([]int{1}, cs...)
	}
	for k := range shape {
		if cs[k] != 1 && cs[k] != shape[k] {
			return nil, errors.Errorf("a constant of shape (%s) does not broadcast to (N, %s)", intsString(c.shape), intsString(shape))
		}
	}
	out := make([]float32, size(shape))
	idx := make([]int, len(shape))
	for o := range out {
		src := 0
		for k := range shape {
			d := idx[k]
			if cs[k] == 1 {
				d = 0
			}
			src = src*cs[k] + d
		}
		out[o] = c.f[src]
		for k := len(shape) - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

// channelsLast reorders the values of one sample of ONNX shape (C, ...)
// as (..., C).
func channelsLast(v []float32, shape []int) []float32 {
	ch, rest := shape[0], size(shape[1:])
	out := make([]float32, len(v))
	for c := 0; c < ch; c++ {
		for p := 0; p < rest; p++ {
			out[p*ch+c] = v[c*rest+p]
		}
	}
	return out
}

// padOp imports Pad of images' height and width with zeros (PyTorch
// writes one before an AveragePool) as ZeroPadding2D; pads of 0 make no
// layer. The pads are an attribute before opset 11, a constant input
// from 11.
func padOp(im *importer, _ int, n *pb.NodeProto) error {
	in := n.GetInput()
	v, err := im.computed(in[0])
	if err != nil {
		return err
	}
	mode, err := attrString(n, "mode", "constant")
	if err != nil {
		return err
	}
	if mode != "constant" {
		return errors.Errorf("mode %q: only constant (zero) padding is supported", mode)
	}
	pads, err := attrInts(n, "pads", nil)
	if err != nil {
		return err
	}
	fill, err := attrFloat(n, "value", 0)
	if err != nil {
		return err
	}
	if im.opset >= 11 {
		if len(in) < 2 || in[1] == "" {
			return errors.New("no pads input")
		}
		c, err := im.constantNamed(in[1], "pads")
		if err != nil {
			return err
		}
		if c.isFloat() {
			return errors.Errorf("pads %q holds floats, not integers", in[1])
		}
		pads = c.i
		if len(in) == 3 && in[2] != "" {
			c, err := im.floatConstant(in[2], "constant_value")
			if err != nil {
				return err
			}
			if len(c.f) != 1 {
				return errors.Errorf("constant_value of shape (%s); want a scalar", intsString(c.shape))
			}
			fill = c.f[0]
		}
	}
	if fill != 0 {
		return errors.Errorf("padding with %v: only zeros are supported", fill)
	}
	r := len(v.shape) + 1
	if len(pads) != 2*r {
		return errors.Errorf("%d pads for a value of rank %d; want %d", len(pads), r, 2*r)
	}
	zero := true
	for k, p := range pads {
		if p < 0 || p > 1<<16 {
			return errors.Errorf("pads %v: each must be from 0 to 65536 (no cropping)", pads)
		}
		zero = zero && p == 0
		if p != 0 && (k%r < 2 || r != 4) {
			return errors.Errorf("pads %v: only the height and width of (N, C, H, W) images can be padded", pads)
		}
	}
	out := n.GetOutput()[0]
	if zero {
		im.set(out, v)
		return nil
	}
	t, err := call(nn.ZeroPadding2D([2][2]int{{int(pads[2]), int(pads[6])}, {int(pads[3]), int(pads[7])}}), im.first(v))
	if err != nil {
		return err
	}
	im.setIn(out, movedBack(t.Shape()), inFirst, t)
	return nil
}
