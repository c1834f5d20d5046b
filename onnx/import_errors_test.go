package onnx

import (
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"google.golang.org/protobuf/proto"
)

// importErrorCase is a model Import must refuse, and what its error must
// say.
type importErrorCase struct {
	name  string
	model func() []byte
	want  []string
}

// graphOf returns an opset's model of one float input "x" of shape (N,
// dims...), the nodes and initializers, and the outputs named.
func graphOf(opset int64, dims []int64, nodes []*pb.NodeProto, inits []*pb.TensorProto, outputs ...string) []byte {
	shape := &pb.TensorShapeProto{Dim: []*pb.TensorShapeProto_Dimension{{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}}}}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	in := &pb.ValueInfoProto{Name: proto.String("x"), Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
		ElemType: proto.Int32(int32(pb.TensorProto_FLOAT)), Shape: shape}}}}
	g := &pb.GraphProto{Name: proto.String("g"), Node: nodes, Initializer: inits, Input: []*pb.ValueInfoProto{in}}
	for _, o := range outputs {
		g.Output = append(g.Output, &pb.ValueInfoProto{Name: proto.String(o)})
	}
	b, err := proto.Marshal(&pb.ModelProto{IrVersion: proto.Int64(7), Graph: g,
		OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}}})
	if err != nil {
		panic(err)
	}
	return b
}

// nodeOf makes a node named n0.
func nodeOf(op string, in, out []string, attrs ...*pb.AttributeProto) *pb.NodeProto {
	return &pb.NodeProto{OpType: proto.String(op), Name: proto.String("n0"), Input: in, Output: out, Attribute: attrs}
}

// floatsOf makes a float initializer.
func floatsOf(name string, dims []int64, v []float32) *pb.TensorProto {
	return &pb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(pb.TensorProto_FLOAT)), FloatData: v}
}

// int64sOf makes an int64 initializer vector.
func int64sOf(name string, v ...int64) *pb.TensorProto {
	return &pb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(v))}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: v}
}

func one(op string, attrs ...*pb.AttributeProto) []*pb.NodeProto {
	return []*pb.NodeProto{nodeOf(op, []string{"x"}, []string{"y"}, attrs...)}
}

func importErrorCases() []importErrorCase {
	w := floatsOf("w", []int64{2, 3, 3, 3}, make([]float32, 54))
	img := []int64{3, 8, 8}
	return []importErrorCase{
		{"not ONNX", func() []byte { return []byte("GIF89a, not a model") }, []string{"not an ONNX model"}},
		{"opset too new", func() []byte { return graphOf(18, []int64{4}, one("Relu"), nil, "y") }, []string{"opset 18", "up to 17"}},
		{"operator older than its form", func() []byte {
			return graphOf(6, []int64{4}, []*pb.NodeProto{nodeOf("Add", []string{"x", "x"}, []string{"y"})}, nil, "y")
		}, []string{"Add in opset 6", "before opset 7"}},
		{"unknown operator", func() []byte { return graphOf(13, []int64{4}, one("Erf"), nil, "y") }, []string{`node 0 (Erf "n0")`, "operator Erf is not supported", "Gemm"}},
		{"unknown attribute", func() []byte { return graphOf(13, []int64{4}, one("Relu", intAttr("alpha", 1)), nil, "y") }, []string{"attribute alpha", "Relu"}},
		{"other domain", func() []byte {
			n := one("Relu")
			n[0].Domain = proto.String("com.microsoft")
			return graphOf(13, []int64{4}, n, nil, "y")
		}, []string{`domain "com.microsoft"`}},
		{"grouped conv", func() []byte {
			return graphOf(13, img, []*pb.NodeProto{nodeOf("Conv", []string{"x", "w"}, []string{"y"}, intAttr("group", 3))}, []*pb.TensorProto{w}, "y")
		}, []string{"Conv", "group=3"}},
		{"dilated conv", func() []byte {
			return graphOf(13, img, []*pb.NodeProto{nodeOf("Conv", []string{"x", "w"}, []string{"y"}, ints("dilations", []int64{2, 2}))}, []*pb.TensorProto{w}, "y")
		}, []string{"dilations=[2 2]"}},
		{"conv weights computed", func() []byte {
			return graphOf(13, img, []*pb.NodeProto{nodeOf("Conv", []string{"x", "x"}, []string{"y"})}, nil, "y")
		}, []string{`W "x" is computed from the inputs`}},
		{"conv of vectors", func() []byte {
			return graphOf(13, []int64{8}, []*pb.NodeProto{nodeOf("Conv", []string{"x", "w"}, []string{"y"})}, []*pb.TensorProto{w}, "y")
		}, []string{"(N, 8)", "(N, C, H, W)"}},
		{"max pool pads", func() []byte {
			return graphOf(13, img, one("MaxPool", ints("kernel_shape", []int64{3, 3}), ints("strides", []int64{2, 2}), ints("pads", []int64{1, 1, 1, 1})), nil, "y")
		}, []string{"pads (1, 1), (1, 1)", "MaxPool supports none or TensorFlow's same"}},
		{"ceil mode", func() []byte {
			return graphOf(13, img, one("MaxPool", ints("kernel_shape", []int64{3, 3}), intAttr("ceil_mode", 1)), nil, "y")
		}, []string{"ceil_mode=1"}},
		{"reshape fixes the batch", func() []byte {
			return graphOf(13, []int64{4, 2}, []*pb.NodeProto{nodeOf("Reshape", []string{"x", "s"}, []string{"y"})}, []*pb.TensorProto{int64sOf("s", 4, -1)}, "y")
		}, []string{"fixes the batch axis at 4", "dynamic_axes"}},
		{"reshape of a wrong size", func() []byte {
			return graphOf(13, []int64{4, 2}, []*pb.NodeProto{nodeOf("Reshape", []string{"x", "s"}, []string{"y"})}, []*pb.TensorProto{int64sOf("s", 0, 3, 3)}, "y")
		}, []string{"9 values per sample", "8"}},
		{"gemm transA", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Gemm", []string{"x", "b"}, []string{"y"}, intAttr("transA", 1))}, []*pb.TensorProto{floatsOf("b", []int64{3, 2}, make([]float32, 6))}, "y")
		}, []string{"transA=1"}},
		{"gemm sizes", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Gemm", []string{"x", "b"}, []string{"y"})}, []*pb.TensorProto{floatsOf("b", []int64{4, 2}, make([]float32, 8))}, "y")
		}, []string{"A has 3 columns but B (transB=0) 4 rows"}},
		{"batched matmul", func() []byte {
			return graphOf(13, []int64{2, 3}, []*pb.NodeProto{nodeOf("MatMul", []string{"x", "b"}, []string{"y"})}, []*pb.TensorProto{floatsOf("b", []int64{3, 2}, make([]float32, 6))}, "y")
		}, []string{"(N, 2, 3)", "(N, K) matrices"}},
		{"transpose of the batch", func() []byte {
			return graphOf(13, []int64{2, 3}, one("Transpose", ints("perm", []int64{1, 0, 2})), nil, "y")
		}, []string{"perm [1 0 2]", "batch axis must stay first"}},
		{"softmax over channels", func() []byte {
			return graphOf(13, []int64{2, 3}, one("Softmax", intAttr("axis", 1)), nil, "y")
		}, []string{"axis 1 of (N, 2, 3) in opset 13"}},
		{"broadcast of two computed values", func() []byte {
			return graphOf(13, []int64{2, 3}, []*pb.NodeProto{
				nodeOf("Flatten", []string{"x"}, []string{"f"}),
				nodeOf("Add", []string{"x", "f"}, []string{"y"})}, nil, "y")
		}, []string{`node 1 (Add "n0")`, "(N, 2, 3) and (N, 6)"}},
		{"constant that varies by sample", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Mul", []string{"x", "c"}, []string{"y"})}, []*pb.TensorProto{floatsOf("c", []int64{2, 3}, make([]float32, 6))}, "y")
		}, []string{"(2, 3) does not broadcast to (N, 3)"}},
		{"dropout mask read", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Dropout", []string{"x"}, []string{"y", "mask"})}, nil, "y", "mask")
		}, []string{`output 1 ("mask") is read`}},
		{"integer input", func() []byte {
			b := graphOf(13, []int64{3}, one("Relu"), nil, "y")
			var m pb.ModelProto
			if err := proto.Unmarshal(b, &m); err != nil {
				panic(err)
			}
			m.Graph.Input[0].Type.GetTensorType().ElemType = proto.Int32(int32(pb.TensorProto_INT64))
			b, _ = proto.Marshal(&m)
			return b
		}, []string{`input "x" has element type INT64`}},
		{"unknown size", func() []byte {
			b := graphOf(13, []int64{3}, one("Relu"), nil, "y")
			var m pb.ModelProto
			if err := proto.Unmarshal(b, &m); err != nil {
				panic(err)
			}
			m.Graph.Input[0].Type.GetTensorType().Shape.Dim[1].Value = &pb.TensorShapeProto_Dimension_DimParam{DimParam: "L"}
			b, _ = proto.Marshal(&m)
			return b
		}, []string{"(N, L)", "fixed size"}},
		{"output of no node", func() []byte { return graphOf(13, []int64{4}, one("Relu"), nil, "z") }, []string{`output "z" is made by no node`}},
		{"input of no node", func() []byte {
			return graphOf(13, []int64{4}, []*pb.NodeProto{nodeOf("Relu", []string{"q"}, []string{"y"})}, nil, "y")
		}, []string{`input "q" is made by no earlier node`}},
		{"external data", func() []byte {
			t := floatsOf("b", []int64{3, 2}, nil)
			t.DataLocation = pb.TensorProto_EXTERNAL.Enum()
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Gemm", []string{"x", "b"}, []string{"y"})}, []*pb.TensorProto{t}, "y")
		}, []string{`tensor "b" keeps its values in an external file`}},
		{"short initializer", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Gemm", []string{"x", "b"}, []string{"y"})}, []*pb.TensorProto{floatsOf("b", []int64{3, 2}, make([]float32, 5))}, "y")
		}, []string{`tensor "b" of shape [3 2] holds 5 values, want 6`}},
		{"huge initializer", func() []byte {
			return graphOf(13, []int64{3}, []*pb.NodeProto{nodeOf("Gemm", []string{"x", "b"}, []string{"y"})}, []*pb.TensorProto{floatsOf("b", []int64{1 << 40, 1 << 40}, nil)}, "y")
		}, []string{`tensor "b" has dimensions`}},
	}
}
