package onnx

import (
	"fmt"
	"io"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// Opset is the ONNX operator set Export writes and the highest Import
// reads.
const Opset = 13

// irVersion is the ONNX IR version of opset 13's release (ONNX 1.8).
const irVersion = 7

// Save writes m, built, to path as an ONNX model (see Export), atomically:
// the file is either the whole model or left as it was.
func Save(m *nn.Model, path string) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return errors.Wrapf(err, "onnx: save %s", path)
	}
	return nil
}

// Export writes m, built, to w as an ONNX model; see Marshal.
func Export(m *nn.Model, w io.Writer) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return errors.Wrap(err, "onnx: export")
}

// Marshal returns m, built, as an ONNX model of opset 13: the model's
// inference graph (dropout is the identity, batch normalisation uses the
// moving statistics), its weights as initializers, one graph input per
// model input and one output per model output, named as the model names
// them, with the batch axis the symbolic dimension "N".
//
// Inputs and outputs keep gokeras's channels-last layout, (N, H, W, C)
// for images, so that the ONNX model takes the arrays Predict takes and
// gives what it gives. ONNX's convolutions and pools are channels-first:
// the graph transposes an image to (N, C, H, W) before the first of them
// and back where a layer needs the channels last (Flatten, Reshape, Dense
// after Flatten), no more often than that: a run of convolutions,
// normalisations, activations and residual additions stays channels-first.
//
// A layer kind with no ONNX form (a user's own) is an error naming the
// layer; so is a model not built.
func Marshal(m *nn.Model) ([]byte, error) {
	if m == nil || !m.Built() {
		return nil, errors.New("onnx: the model is not built (call Build first)")
	}
	e := &exporter{names: map[*nn.Tensor]string{}, first: map[*nn.Tensor]string{}, used: map[string]bool{}, weights: map[string]string{}}
	g := &pb.GraphProto{Name: proto.String(m.Name())}
	e.g = g
	for _, t := range m.Inputs() {
		name := t.Layer().Name()
		e.use(name)
		e.names[t] = name
		g.Input = append(g.Input, valueInfo(name, t.Shape()))
	}
	for _, t := range m.Outputs() {
		if err := e.visit(t); err != nil {
			return nil, err
		}
	}
	outputs := map[string]bool{}
	for _, t := range m.Outputs() {
		value, err := e.last(t)
		if err != nil {
			return nil, err
		}
		// An output is named as its layer where that name is free (or
		// is the value's own), otherwise as the value is; the same tensor
		// given twice gets a copy.
		out := value
		switch want := t.Layer().Name(); {
		case value != want && !e.used[want]:
			e.use(want)
			out = want
		case outputs[value]:
			out = e.fresh(value + "_output")
		}
		if out != value {
			e.node("Identity", []string{value}, []string{out})
		}
		outputs[out] = true
		g.Output = append(g.Output, valueInfo(out, t.Shape()))
	}
	model := &pb.ModelProto{
		IrVersion:       proto.Int64(irVersion),
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:    proto.String("gokeras"),
		ProducerVersion: proto.String("1"),
		Graph:           g,
	}
	b, err := proto.Marshal(model)
	if err != nil {
		return nil, errors.Wrap(err, "onnx: encode")
	}
	return b, nil
}

// exporter builds one graph. Every tensor of the model has an ONNX value
// in its own channels-last layout (names) made when first needed, and
// tensors of rank 3 or more per sample may also have a channels-first one
// (first).
type exporter struct {
	g       *pb.GraphProto
	names   map[*nn.Tensor]string // channels-last value of each tensor visited
	first   map[*nn.Tensor]string // channels-first value, where one exists
	used    map[string]bool       // value names taken
	weights map[string]string     // initializer of each layer weight
	count   int                   // nodes made, for their names
}

// use marks name taken.
func (e *exporter) use(name string) { e.used[name] = true }

// fresh returns a name not yet taken, based on base, and takes it.
func (e *exporter) fresh(base string) string {
	name := base
	for i := 1; e.used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	e.use(name)
	return name
}

// node adds an ONNX node.
func (e *exporter) node(op string, in, out []string, attrs ...*pb.AttributeProto) {
	e.count++
	e.g.Node = append(e.g.Node, &pb.NodeProto{
		OpType: proto.String(op), Input: in, Output: out,
		Name: proto.String(fmt.Sprintf("%s_%d", op, e.count)), Attribute: attrs,
	})
}

// initializer adds a layer's weight, a float32 constant of the given
// shape named base ("dense/kernel"), once: a shared layer's calls read
// the same initializer.
func (e *exporter) initializer(base string, shape []int, values []float32) string {
	if name, ok := e.weights[base]; ok {
		return name
	}
	name := e.fresh(base)
	e.weights[base] = name
	e.g.Initializer = append(e.g.Initializer, &pb.TensorProto{
		Name: proto.String(name), Dims: int64s(shape),
		DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), FloatData: values,
	})
	return name
}

// int64Initializer adds an int64 vector constant.
func (e *exporter) int64Initializer(base string, values []int64) string {
	name := e.fresh(base)
	e.g.Initializer = append(e.g.Initializer, &pb.TensorProto{
		Name: proto.String(name), Dims: []int64{int64(len(values))},
		DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: values,
	})
	return name
}

// last returns t's channels-last value, transposing its channels-first
// one if that is all there is.
func (e *exporter) last(t *nn.Tensor) (string, error) {
	if name, ok := e.names[t]; ok {
		return name, nil
	}
	cf, ok := e.first[t]
	if !ok {
		return "", errors.Errorf("onnx: internal error: tensor of %s not exported", t.Layer().Name())
	}
	r := len(t.Shape()) + 1
	perm := make([]int64, r)
	perm[r-1] = 1
	for i := 1; i < r-1; i++ {
		perm[i] = int64(i + 1)
	}
	name := e.fresh(cf + "_nhwc")
	e.node("Transpose", []string{cf}, []string{name}, ints("perm", perm))
	e.names[t] = name
	return name, nil
}

// channelsFirst returns t's channels-first value (N, C, spatial...),
// transposing its channels-last one if need be.
func (e *exporter) channelsFirst(t *nn.Tensor) string {
	if name, ok := e.first[t]; ok {
		return name
	}
	r := len(t.Shape()) + 1
	perm := make([]int64, r)
	perm[1] = int64(r - 1)
	for i := 2; i < r; i++ {
		perm[i] = int64(i - 1)
	}
	name := e.fresh(e.names[t] + "_nchw")
	e.node("Transpose", []string{e.names[t]}, []string{name}, ints("perm", perm))
	e.first[t] = name
	return name
}

// visit exports the layers t depends on, then t's own.
func (e *exporter) visit(t *nn.Tensor) error {
	if _, ok := e.names[t]; ok {
		return nil
	}
	if _, ok := e.first[t]; ok {
		return nil
	}
	for _, in := range t.Inputs() {
		if err := e.visit(in); err != nil {
			return err
		}
	}
	if err := e.layer(t); err != nil {
		return errors.Wrapf(err, "onnx: layer %s (%s)", t.Layer().Name(), t.Layer().Kind())
	}
	return nil
}

// out returns a fresh value name for t's output.
func (e *exporter) out(t *nn.Tensor) string { return e.fresh(t.Layer().Name()) }

// layer exports the call of a layer that made t; its inputs are exported.
func (e *exporter) layer(t *nn.Tensor) error {
	in := t.Inputs()
	switch l := t.Layer().(type) {
	case *nn.DenseLayer:
		x, err := e.last(in[0])
		if err != nil {
			return err
		}
		k, b := l.Kernel(), l.Bias()
		z := e.fresh(l.Name() + "_gemm")
		e.node("Gemm", []string{x, e.initializer(l.Name()+"/kernel", k.Shape(), floats(k)), e.initializer(l.Name()+"/bias", b.Shape(), floats(b))}, []string{z})
		return e.activate(t, l.Activation(), z, false)

	case *nn.Conv2DLayer:
		x := e.channelsFirst(in[0])
		strides, pads, err := layerWindow(l.Config(), in[0].Shape(), l.KernelSize())
		if err != nil {
			return err
		}
		k := l.Kernel()
		z := e.fresh(l.Name() + "_conv")
		e.node("Conv", []string{x, e.initializer(l.Name()+"/kernel", oihw(k.Shape()), hwioToOIHW(k)), e.initializer(l.Name()+"/bias", l.Bias().Shape(), floats(l.Bias()))},
			[]string{z}, ints("kernel_shape", []int64{int64(l.KernelSize()[0]), int64(l.KernelSize()[1])}), ints("strides", strides), ints("pads", pads))
		return e.activate(t, l.Activation(), z, true)

	case *nn.MaxPooling2DLayer, *nn.AveragePooling2DLayer:
		pool := t.Layer().(interface{ PoolSize() [2]int }).PoolSize()
		strides, pads, err := layerWindow(t.Layer().Config(), in[0].Shape(), pool)
		if err != nil {
			return err
		}
		attrs := []*pb.AttributeProto{ints("kernel_shape", []int64{int64(pool[0]), int64(pool[1])}), ints("strides", strides), ints("pads", pads)}
		op := "MaxPool"
		if _, ok := l.(*nn.AveragePooling2DLayer); ok {
			op = "AveragePool"
			attrs = append(attrs, intAttr("count_include_pad", 0)) // TensorFlow's same padding
		}
		name := e.out(t)
		e.node(op, []string{e.channelsFirst(in[0])}, []string{name}, attrs...)
		e.first[t] = name

	case *nn.GlobalAveragePooling2DLayer:
		pooled := e.fresh(l.Name() + "_pool")
		e.node("GlobalAveragePool", []string{e.channelsFirst(in[0])}, []string{pooled})
		name := e.out(t)
		e.node("Flatten", []string{pooled}, []string{name}, intAttr("axis", 1))
		e.names[t] = name

	case *nn.BatchNormalizationLayer:
		var x string
		cf := len(in[0].Shape()) > 1
		if cf {
			x = e.channelsFirst(in[0])
		} else {
			var err error
			if x, err = e.last(in[0]); err != nil {
				return err
			}
		}
		ws := []*tensor.Dense{l.Gamma(), l.Beta(), l.MovingMean(), l.MovingVariance()}
		names := []string{"gamma", "beta", "moving_mean", "moving_variance"}
		inputs := []string{x}
		for i, w := range ws {
			inputs = append(inputs, e.initializer(l.Name()+"/"+names[i], w.Shape(), floats(w)))
		}
		name := e.out(t)
		e.node("BatchNormalization", inputs, []string{name},
			floatAttr("epsilon", float32(l.Epsilon)), floatAttr("momentum", float32(l.Momentum)))
		if cf {
			e.first[t] = name
		} else {
			e.names[t] = name
		}

	case *nn.ActivationLayer:
		if _, ok := e.first[in[0]]; ok && len(in[0].Shape()) > 1 {
			return e.activate(t, l.Activation(), e.first[in[0]], true)
		}
		x, err := e.last(in[0])
		if err != nil {
			return err
		}
		return e.activate(t, l.Activation(), x, false)

	case *nn.DropoutLayer:
		// The identity in inference: t is its input under another name.
		if cf, ok := e.first[in[0]]; ok {
			e.first[t] = cf
		}
		if x, ok := e.names[in[0]]; ok {
			e.names[t] = x
		}

	case *nn.FlattenLayer:
		x, err := e.last(in[0])
		if err != nil {
			return err
		}
		name := e.out(t)
		e.node("Flatten", []string{x}, []string{name}, intAttr("axis", 1))
		e.names[t] = name

	case *nn.ReshapeLayer:
		x, err := e.last(in[0])
		if err != nil {
			return err
		}
		shape := []int64{0} // 0: the batch axis as it is
		for _, d := range t.Shape() {
			shape = append(shape, int64(d))
		}
		name := e.out(t)
		e.node("Reshape", []string{x, e.int64Initializer(l.Name()+"/shape", shape)}, []string{name})
		e.names[t] = name

	case *nn.AddLayer, *nn.MultiplyLayer, *nn.SubtractLayer:
		op := "Add"
		switch l.(type) {
		case *nn.MultiplyLayer:
			op = "Mul"
		case *nn.SubtractLayer:
			op = "Sub" // two inputs: x₀ − x₁
		}
		xs, cf, err := e.merged(in)
		if err != nil {
			return err
		}
		acc := xs[0]
		for i, x := range xs[1:] {
			var name string
			if i == len(xs)-2 {
				name = e.out(t)
			} else {
				name = e.fresh(t.Layer().Name() + "_partial")
			}
			e.node(op, []string{acc, x}, []string{name})
			acc = name
		}
		e.set(t, acc, cf)

	case *nn.PermuteLayer:
		// Transpose the channels-last value by (0, dims…), the batch axis
		// kept first; or, where there is only a channels-first value,
		// that one by the same permutation composed with the layout's,
		// in one node.
		r := len(in[0].Shape())
		perm := []int64{0}
		x, ok := e.names[in[0]]
		cf := !ok // only a channels-first value
		if cf {
			x = e.first[in[0]]
		}
		for _, d := range l.Dims() {
			switch {
			case !cf:
				perm = append(perm, int64(d))
			case d == r: // the channels: axis 1 channels-first
				perm = append(perm, 1)
			default: // spatial axis d: axis d+1 channels-first
				perm = append(perm, int64(d+1))
			}
		}
		if x == "" {
			return errors.Errorf("onnx: internal error: tensor of %s not exported", in[0].Layer().Name())
		}
		name := e.out(t)
		e.node("Transpose", []string{x}, []string{name}, ints("perm", perm))
		e.names[t] = name

	case *nn.ZeroPadding2DLayer:
		// Pad the channels-first (N, C, H, W) value: ONNX's pads are
		// every axis's start, then every axis's end.
		p := l.Pads()
		pads := []int64{0, 0, int64(p[0][0]), int64(p[1][0]), 0, 0, int64(p[0][1]), int64(p[1][1])}
		name := e.out(t)
		e.node("Pad", []string{e.channelsFirst(in[0]), e.int64Initializer(l.Name()+"/pads", pads)}, []string{name}, stringAttr("mode", "constant"))
		e.first[t] = name

	case *nn.ConcatenateLayer:
		xs, cf, err := e.merged(in)
		if err != nil {
			return err
		}
		r := len(in[0].Shape()) + 1
		axis := l.Axis
		if axis < 0 {
			axis += r
		}
		if cf {
			// Channels-last axis a is channels-first axis 1 for the last,
			// a+1 for the spatial ones.
			if axis == r-1 {
				axis = 1
			} else {
				axis++
			}
		}
		name := e.out(t)
		e.node("Concat", xs, []string{name}, intAttr("axis", int64(axis)))
		e.set(t, name, cf)

	case *ConstantOpLayer:
		return e.constantOp(t, l)

	default:
		return errors.Errorf("no ONNX form for a %s layer", t.Layer().Kind())
	}
	return nil
}

// merged returns the values of a merge layer's inputs, channels-first if
// every input has that form already (a residual block stays
// channels-first), otherwise channels-last.
func (e *exporter) merged(in []*nn.Tensor) ([]string, bool, error) {
	cf := len(in[0].Shape()) > 1
	for _, x := range in {
		if _, ok := e.first[x]; !ok {
			cf = false
		}
	}
	xs := make([]string, len(in))
	for i, x := range in {
		if cf {
			xs[i] = e.first[x]
			continue
		}
		var err error
		if xs[i], err = e.last(x); err != nil {
			return nil, false, err
		}
	}
	return xs, cf, nil
}

// set records name as t's channels-first or channels-last value.
func (e *exporter) set(t *nn.Tensor, name string, cf bool) {
	if cf {
		e.first[t] = name
	} else {
		e.names[t] = name
	}
}

// activate applies a to the value z (channels-first when cf) and records
// the result as t's value.
func (e *exporter) activate(t *nn.Tensor, a nn.Activation, z string, cf bool) error {
	var op string
	var attrs []*pb.AttributeProto
	switch a.Name() {
	case "linear":
		e.set(t, z, cf)
		return nil
	case "relu":
		op = "Relu"
	case "sigmoid":
		op = "Sigmoid"
	case "tanh":
		op = "Tanh"
	case "softmax", "log_softmax":
		op = "Softmax"
		if a.Name() == "log_softmax" {
			op = "LogSoftmax"
		}
		axis := int64(-1)
		if cf {
			axis = 1
		}
		attrs = append(attrs, intAttr("axis", axis))
	default:
		return errors.Errorf("no ONNX form for activation %q", a.Name())
	}
	name := e.out(t)
	e.node(op, []string{z}, []string{name}, attrs...)
	e.set(t, name, cf)
	return nil
}

// layerWindow returns the ONNX strides and pads (top, left, bottom,
// right) of a windowed layer with the given Keras config over (H, W, C)
// inputs: TensorFlow's "same" pads the odd pixel after.
func layerWindow(config map[string]any, x []int, size [2]int) (strides, pads []int64, err error) {
	s, ok := config["strides"].([]int)
	p, ok2 := config["padding"].(string)
	if !ok || !ok2 || len(s) != 2 || len(x) != 3 {
		return nil, nil, errors.Errorf("unexpected window config %v on input %v", config, x)
	}
	strides = []int64{int64(s[0]), int64(s[1])}
	pads = make([]int64, 4)
	if p == "same" {
		for i := 0; i < 2; i++ {
			out := (x[i] + s[i] - 1) / s[i]
			total := max((out-1)*s[i]+size[i]-x[i], 0)
			pads[i] = int64(total / 2)
			pads[i+2] = int64(total - total/2)
		}
	}
	return strides, pads, nil
}

// valueInfo describes a float32 value of one sample's shape, the batch
// axis the symbolic "N".
func valueInfo(name string, shape []int) *pb.ValueInfoProto {
	dims := []*pb.TensorShapeProto_Dimension{{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}}}
	for _, d := range shape {
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &pb.ValueInfoProto{Name: proto.String(name), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: &pb.TensorShapeProto{Dim: dims},
	}}}}
}

// oihw returns the ONNX (out, in, kh, kw) shape of a (kh, kw, in, out)
// kernel.
func oihw(s []int) []int { return []int{s[3], s[2], s[0], s[1]} }

// hwioToOIHW reorders a Keras (kh, kw, in, out) kernel as ONNX's (out,
// in, kh, kw).
func hwioToOIHW(k *tensor.Dense) []float32 {
	s := k.Shape()
	kh, kw, ci, co := s[0], s[1], s[2], s[3]
	src := floats(k)
	dst := make([]float32, len(src))
	for h := 0; h < kh; h++ {
		for w := 0; w < kw; w++ {
			for i := 0; i < ci; i++ {
				for o := 0; o < co; o++ {
					dst[((o*ci+i)*kh+h)*kw+w] = src[((h*kw+w)*ci+i)*co+o]
				}
			}
		}
	}
	return dst
}

// floats returns a copy of a float32 tensor's values.
func floats(t *tensor.Dense) []float32 {
	return append([]float32(nil), t.Data().([]float32)...)
}

// int64s converts a shape.
func int64s(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// ints makes an INTS attribute.
func ints(name string, v []int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

// intAttr makes an INT attribute.
func intAttr(name string, v int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// stringAttr makes a STRING attribute.
func stringAttr(name, v string) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

// floatAttr makes a FLOAT attribute.
func floatAttr(name string, v float32) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}
