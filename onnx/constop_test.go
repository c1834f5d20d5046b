package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx/internal/pb"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// constOpNaive is the reference: x op c for one value.
func constOpNaive(kind string, x, c float64) float64 {
	switch kind {
	case "add":
		return x + c
	case "sub":
		return x - c
	case "rsub":
		return c - x
	case "mul":
		return x * c
	}
	panic("unknown kind " + kind)
}

// constOpValues returns n values of either sign with magnitudes drawn
// from U(0.25, 2): none near 0, so a product's sign and size show.
func constOpValues(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(0.25 + 1.75*rng.Float64())
		if rng.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return v
}

func constOpSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// constOpModel returns the compiled model Input(shape) → ConstantOp
// (→ Flatten for samples that are not vectors) and its layer.
func constOpModel(t *testing.T, kind string, c []float32, shape []int) (*nn.Model, *ConstantOpLayer) {
	t.Helper()
	l := newConstantOp(kind, c, shape)
	in := nn.Input(shape...)
	out := nn.Call(l, in)
	if len(shape) > 1 {
		out = nn.Call(nn.Flatten(), out)
	}
	m, err := nn.NewModel([]*nn.Tensor{in}, []*nn.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
		t.Fatal(err)
	}
	return m, l
}

var constOpKinds = []string{"add", "sub", "rsub", "mul"}

// constOpShapes are sample shapes: a vector, an image (H, W, C).
var constOpShapes = [][]int{{3}, {2, 3, 2}}

func TestConstantOpPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range constOpKinds {
		for _, shape := range constOpShapes {
			for _, rows := range []int{1, 37} { // 37: a full batch of 32 and one of 5
				n := constOpSize(shape)
				c := constOpValues(rng, n)
				xv := constOpValues(rng, rows*n)
				t.Run(fmt.Sprintf("%s%s/rows=%d", kind, shapeText(shape), rows), func(t *testing.T) {
					m, l := constOpModel(t, kind, c, shape)
					if l.Op() != kind || l.Kind() != "ConstantOp" {
						t.Fatalf("Op, Kind = %q, %q; want %q, ConstantOp", l.Op(), l.Kind(), kind)
					}
					p := l.Params()
					if len(p) != 1 || p[0].Trainable || !slices.Equal(p[0].Value.Shape(), tensor.Shape(shape)) || !slices.Equal(p[0].Value.Data().([]float32), c) {
						t.Fatalf("params %+v: want one non-trainable constant of shape %v holding %v", p, shape, c)
					}
					x := tensor.New(tensor.WithShape(append([]int{rows}, shape...)...), tensor.WithBacking(slices.Clone(xv)))
					y, err := m.Predict(x, train.Verbose(0))
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(y.Shape(), tensor.Shape{rows, n}) {
						t.Fatalf("output shape %v, want (%d, %d)", y.Shape(), rows, n)
					}
					got := y.Data().([]float32)
					for r := 0; r < rows; r++ {
						for i := 0; i < n; i++ {
							want := float32(constOpNaive(kind, float64(xv[r*n+i]), float64(c[i])))
							if got[r*n+i] != want {
								t.Fatalf("row %d value %d: got %v, want %v (x %v, c %v)", r, i, got[r*n+i], want, xv[r*n+i], c[i])
							}
						}
					}
				})
			}
		}
	}
}

// TestConstantOpGradient checks, in float64, the gradient Gorgonia
// derives from Forward for the input x of the cost Σ w ⊙ (x op c)³
// against central finite differences of that cost computed naively (an
// odd power, so that x − c and c − x give different costs).
func TestConstantOpGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kind := range constOpKinds {
		for _, shape := range constOpShapes {
			for _, batch := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s%s/batch=%d", kind, shapeText(shape), batch), func(t *testing.T) {
					n := constOpSize(shape)
					f64 := func(v []float32) []float64 {
						out := make([]float64, len(v))
						for i, x := range v {
							out[i] = float64(x)
						}
						return out
					}
					xv, cv, wv := f64(constOpValues(rng, batch*n)), f64(constOpValues(rng, n)), f64(constOpValues(rng, batch*n))
					cost := func(x []float64) float64 {
						s := 0.0
						for i := range x {
							y := constOpNaive(kind, x[i], cv[i%n])
							s += wv[i] * y * y * y
						}
						return s
					}

					g := G.NewGraph()
					xs := append([]int{batch}, shape...)
					x := G.NewTensor(g, tensor.Float64, len(xs), G.WithShape(xs...), G.WithName("x"),
						G.WithValue(tensor.New(tensor.WithShape(xs...), tensor.WithBacking(slices.Clone(xv)))))
					c := G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName("c"),
						G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(slices.Clone(cv)))))
					w := G.NewTensor(g, tensor.Float64, len(xs), G.WithShape(xs...), G.WithName("w"),
						G.WithValue(tensor.New(tensor.WithShape(xs...), tensor.WithBacking(slices.Clone(wv)))))
					y, err := newConstantOp(kind, nil, shape).Forward([]*G.Node{x}, []*G.Node{c}, train.Mode{Training: true})
					if err != nil {
						t.Fatal(err)
					}
					cube, err := G.Cube(y)
					if err != nil {
						t.Fatal(err)
					}
					prod, err := G.HadamardProd(w, cube)
					if err != nil {
						t.Fatal(err)
					}
					total, err := G.Sum(prod)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := G.Grad(total, x); err != nil {
						t.Fatal(err)
					}
					vm := G.NewTapeMachine(g)
					defer vm.Close()
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}

					if got, want := total.Value().Data().(float64), cost(xv); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
						t.Fatalf("cost %v, want %v", got, want)
					}
					gv, err := x.Grad()
					if err != nil {
						t.Fatal(err)
					}
					grad := gv.Data().([]float64)
					const h = 1e-6
					for i := range xv {
						p, m := slices.Clone(xv), slices.Clone(xv)
						p[i] += h
						m[i] -= h
						fd := (cost(p) - cost(m)) / (2 * h)
						if math.Abs(grad[i]-fd) > 1e-6*math.Max(1, math.Abs(fd)) {
							t.Errorf("∂cost/∂x[%d] = %v, finite differences %v", i, grad[i], fd)
						}
					}
				})
			}
		}
	}
}

// TestConstantOpFitStep checks one SGD step of Input(2) → Dense(3) →
// ConstantOp against a hand computation of the gradient through the op,
// and that the constant is left as it was.
func TestConstantOpFitStep(t *testing.T) {
	const rows, in, units = 4, 2, 3
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kind := range constOpKinds {
		t.Run(kind, func(t *testing.T) {
			c := constOpValues(rng, units)
			dense := nn.Dense(units, nn.Linear)
			l := newConstantOp(kind, c, []int{units})
			x := nn.Input(in)
			m, err := nn.NewModel([]*nn.Tensor{x}, []*nn.Tensor{nn.Call(l, nn.Call(dense, x))})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Build(7); err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
				t.Fatal(err)
			}
			bias := dense.Bias().Data().([]float32)
			copy(bias, constOpValues(rng, units)) // not the zeros Build gives
			k0, b0 := slices.Clone(dense.Kernel().Data().([]float32)), slices.Clone(bias)
			xv, yv := constOpValues(rng, rows*in), constOpValues(rng, rows*units)

			// By hand, in float64: z = x·K + b, y = z op c, loss = mean of
			// (y − target)², so ∂loss/∂y = 2(y − target)/(rows·units) and
			// ∂loss/∂z is that times ∂y/∂z: 1, 1, −1 or c.
			wantK, wantB := make([]float64, in*units), make([]float64, units)
			for i := range wantK {
				wantK[i] = float64(k0[i])
			}
			for j := range wantB {
				wantB[j] = float64(b0[j])
			}
			for r := 0; r < rows; r++ {
				for j := 0; j < units; j++ {
					z := float64(b0[j])
					for i := 0; i < in; i++ {
						z += float64(xv[r*in+i]) * float64(k0[i*units+j])
					}
					dy := 2 * (constOpNaive(kind, z, float64(c[j])) - float64(yv[r*units+j])) / (rows * units)
					dz := map[string]float64{"add": dy, "sub": dy, "rsub": -dy, "mul": dy * float64(c[j])}[kind]
					wantB[j] -= 0.01 * dz
					for i := 0; i < in; i++ {
						wantK[i*units+j] -= 0.01 * dz * float64(xv[r*in+i])
					}
				}
			}

			xt := tensor.New(tensor.WithShape(rows, in), tensor.WithBacking(xv))
			yt := tensor.New(tensor.WithShape(rows, units), tensor.WithBacking(yv))
			if _, err := m.Fit(xt, yt, train.Epochs(1), train.BatchSize(rows), train.Shuffle(false), train.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			check := func(what string, got []float32, want []float64) {
				t.Helper()
				for i := range want {
					if math.Abs(float64(got[i])-want[i]) > 1e-6 {
						t.Errorf("%s[%d] = %v after the step, want %v", what, i, got[i], want[i])
					}
				}
			}
			check("kernel", dense.Kernel().Data().([]float32), wantK)
			check("bias", dense.Bias().Data().([]float32), wantB)
			if got := l.constant().Data().([]float32); !slices.Equal(got, c) {
				t.Errorf("the constant changed in training: %v, was %v", got, c)
			}
		})
	}
}

func TestConstantOpSaveLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kind := range constOpKinds {
		t.Run(kind, func(t *testing.T) {
			shape := []int{2, 3, 2}
			n := constOpSize(shape)
			c := constOpValues(rng, n)
			m, l := constOpModel(t, kind, c, shape)
			path := filepath.Join(t.TempDir(), "model.npz")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			back, err := nn.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			bl, ok := back.Layer(l.Name()).(*ConstantOpLayer)
			if !ok {
				t.Fatalf("loaded layer %s is %T, want *ConstantOpLayer", l.Name(), back.Layer(l.Name()))
			}
			if bl.Op() != kind || !slices.Equal(bl.shape, shape) {
				t.Fatalf("loaded op %q shape %v, want %q %v", bl.Op(), bl.shape, kind, shape)
			}
			if got := bl.constant().Data().([]float32); !slices.Equal(got, c) {
				t.Fatalf("loaded constant %v, want %v", got, c)
			}
			if p := bl.Params(); len(p) != 1 || p[0].Trainable {
				t.Fatalf("loaded params %+v: want one non-trainable weight", p)
			}
			if err := back.Compile(train.SGD(), train.MeanSquaredError()); err != nil {
				t.Fatal(err)
			}
			xv := constOpValues(rng, 2*n)
			x := tensor.New(tensor.WithShape(append([]int{2}, shape...)...), tensor.WithBacking(xv))
			y, err := back.Predict(x, train.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			got := y.Data().([]float32)
			for i, v := range xv {
				if want := float32(constOpNaive(kind, float64(v), float64(c[i%n]))); got[i] != want {
					t.Fatalf("loaded model's output %d: %v, want %v", i, got[i], want)
				}
			}
		})
	}
}

func TestConstantOpPlanErrors(t *testing.T) {
	cases := []struct {
		name   string
		layer  *ConstantOpLayer
		inputs [][]int
		want   string
	}{
		{"wrong shape", newConstantOp("add", make([]float32, 6), []int{2, 3}), [][]int{{3, 2}}, "input's samples have shape (3, 2), but the constant's is (2, 3)"},
		{"wrong rank", newConstantOp("mul", make([]float32, 6), []int{6}), [][]int{{2, 3}}, "input's samples have shape (2, 3), but the constant's is (6)"},
		{"unknown kind", newConstantOp("div", make([]float32, 3), []int{3}), [][]int{{3}}, `unknown op "div"`},
		{"empty kind", newConstantOp("", make([]float32, 3), []int{3}), [][]int{{3}}, `unknown op ""`},
		{"too few values", newConstantOp("sub", make([]float32, 5), []int{2, 3}), [][]int{{2, 3}}, "has 5 values, but its shape (2, 3) holds 6"},
		{"no values", newConstantOp("sub", []float32{}, []int{3}), [][]int{{3}}, "has 0 values"},
		{"bad dimension", newConstantOp("add", nil, []int{3, 0}), [][]int{{3, 0}}, "not positive"},
		{"no shape", newConstantOp("add", nil, nil), [][]int{{3}}, "no shape"},
		{"two inputs", newConstantOp("add", nil, []int{3}), [][]int{{3}, {3}}, "takes one input, got 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.layer.Plan(tc.inputs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Plan(%v) = %v, want an error containing %q", tc.inputs, err, tc.want)
			}
		})
	}
	// Through the functional API the error reaches the output tensor.
	if err := nn.Call(newConstantOp("add", make([]float32, 4), []int{4}), nn.Input(5)).Err(); err == nil || !strings.Contains(err.Error(), "(5), but the constant's is (4)") {
		t.Errorf("Call on a wrong shape: %v", err)
	}
}

func TestConstantOpForwardErrors(t *testing.T) {
	g := G.NewGraph()
	x32 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x32"))
	x64 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x64"))
	c32 := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("c32"))
	c4 := G.NewVector(g, tensor.Float32, G.WithShape(4), G.WithName("c4"))
	i32 := G.NewMatrix(g, tensor.Int32, G.WithShape(2, 3), G.WithName("i32"))
	ci32 := G.NewVector(g, tensor.Int32, G.WithShape(3), G.WithName("ci32"))
	cases := []struct {
		name string
		l    *ConstantOpLayer
		in   []*G.Node
		w    []*G.Node
		want string
	}{
		{"types differ", newConstantOp("add", nil, []int{3}), []*G.Node{x64}, []*G.Node{c32}, "input is float64 and constant float32"},
		{"integers", newConstantOp("mul", nil, []int{3}), []*G.Node{i32}, []*G.Node{ci32}, "want both float32 or both float64"},
		{"constant shape", newConstantOp("add", nil, []int{3}), []*G.Node{x32}, []*G.Node{c4}, "constant of shape (4)"},
		{"input shape", newConstantOp("add", nil, []int{4}), []*G.Node{x32}, []*G.Node{c4}, "input of shape (2, 3)"},
		{"no weight", newConstantOp("add", nil, []int{3}), []*G.Node{x32}, nil, "want one input and one weight"},
		{"nil input", newConstantOp("add", nil, []int{3}), []*G.Node{nil}, []*G.Node{c32}, "want one input and one weight"},
		{"unknown kind", newConstantOp("pow", nil, []int{3}), []*G.Node{x32}, []*G.Node{c32}, `unknown op "pow"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.l.Forward(tc.in, tc.w, train.Mode{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Forward = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestConstantOpConfig(t *testing.T) {
	l := newConstantOp("rsub", []float32{1, 2, 3, 4, 5, 6}, []int{2, 3})
	raw, err := json.Marshal(l.Config())
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"op":"rsub","shape":[2,3]}` {
		t.Errorf("Config encodes as %s", raw)
	}
	back, err := constantOpFromConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	bl := back.(*ConstantOpLayer)
	if bl.Op() != "rsub" || !slices.Equal(bl.shape, []int{2, 3}) || bl.values != nil {
		t.Errorf("from config: op %q shape %v values %v, want rsub (2, 3) and none", bl.Op(), bl.shape, bl.values)
	}
	for _, tc := range []struct{ config, want string }{
		{`{"shape":[3]}`, "config.op is missing"},
		{`{"op":"add"}`, "config.shape is missing"},
		{`{"op":"div","shape":[3]}`, `unknown op "div"`},
		{`{"op":"add","shape":[3,-1]}`, "not positive"},
		{`{"op":"add","shape":[]}`, "no shape"},
		{`{"op":"add","shape":[3],"axis":1}`, "config.axis: no such setting"},
		{`{"op":1,"shape":[3]}`, "config"},
	} {
		if _, err := constantOpFromConfig(json.RawMessage(tc.config)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %s: %v, want an error containing %q", tc.config, err, tc.want)
		}
	}
}

// TestConstantOpExport checks the node and initializer constantOp writes:
// the input and a (1, shape...) constant in the op's order.
func TestConstantOpExport(t *testing.T) {
	want := map[string]struct {
		op    string
		first bool // the constant is the first operand
	}{"add": {"Add", false}, "sub": {"Sub", false}, "rsub": {"Sub", true}, "mul": {"Mul", false}}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, kind := range constOpKinds {
		t.Run(kind, func(t *testing.T) {
			shape := []int{2, 3, 2}
			c := constOpValues(rng, constOpSize(shape))
			m, l := constOpModel(t, kind, c, shape)
			ct := m.Outputs()[0].Inputs()[0] // Flatten's input: the ConstantOp's output
			if ct.Layer() != nn.Layer(l) {
				t.Fatalf("the tensor is %s's output, want the ConstantOp's", ct.Layer().Name())
			}
			e := &exporter{g: &pb.GraphProto{}, names: map[*nn.Tensor]string{}, first: map[*nn.Tensor]string{}, used: map[string]bool{}, weights: map[string]string{}}
			e.names[ct.Inputs()[0]] = "x"
			e.use("x")
			if err := e.constantOp(ct, l); err != nil {
				t.Fatal(err)
			}
			if len(e.g.Node) != 1 || len(e.g.Initializer) != 1 {
				t.Fatalf("%d nodes and %d initializers, want 1 and 1", len(e.g.Node), len(e.g.Initializer))
			}
			node, init := e.g.Node[0], e.g.Initializer[0]
			ins := []string{"x", init.GetName()}
			if want[kind].first {
				ins = []string{init.GetName(), "x"}
			}
			if node.GetOpType() != want[kind].op || !slices.Equal(node.GetInput(), ins) {
				t.Errorf("node %s%v, want %s%v", node.GetOpType(), node.GetInput(), want[kind].op, ins)
			}
			if len(node.GetOutput()) != 1 || e.names[ct] != node.GetOutput()[0] {
				t.Errorf("node outputs %v; the tensor's value is %q", node.GetOutput(), e.names[ct])
			}
			if _, cf := e.first[ct]; cf {
				t.Error("the result is recorded as channels-first")
			}
			if !slices.Equal(init.GetDims(), []int64{1, 2, 3, 2}) || init.GetDataType() != int32(pb.TensorProto_FLOAT) || !slices.Equal(init.GetFloatData(), c) {
				t.Errorf("initializer %s dims %v type %d values %v, want (1, 2, 3, 2) float %v", init.GetName(), init.GetDims(), init.GetDataType(), init.GetFloatData(), c)
			}
		})
	}
	// Not built: an error, not a panic.
	e := &exporter{g: &pb.GraphProto{}, names: map[*nn.Tensor]string{}, first: map[*nn.Tensor]string{}, used: map[string]bool{}, weights: map[string]string{}}
	l := newConstantOp("add", []float32{1, 2}, []int{2})
	x := nn.Input(2)
	if err := e.constantOp(nn.Call(l, x), l); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("exporting an unbuilt layer: %v", err)
	}
}
