package naive

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// eval runs a graph once and returns the value of out.
func eval(t *testing.T, g *G.ExprGraph, out *G.Node) G.Value {
	t.Helper()
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	return v
}

func randTensor(seed uint64, shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := tensor.Shape(shape).TotalSize()
	d := make([]float64, n)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// sameTensor fails unless got and want have one shape and values within tol.
func sameTensor(t *testing.T, what string, got *tensor.Dense, want tensor.Tensor, tol float64) {
	t.Helper()
	if !got.Shape().Eq(want.Shape()) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
	}
	if w, ok := want.(*tensor.Dense); ok && w.IsView() {
		want = w.Materialize()
	}
	g, w := got.Data().([]float64), want.Data().([]float64)
	for i := range g {
		if math.Abs(g[i]-w[i]) > tol {
			t.Fatalf("%s: element %d is %v, want %v", what, i, g[i], w[i])
		}
	}
}

func TestOpsMatchTheLibrary(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {3, 5}, {17, 9}, {64, 33}} {
		r, c := size[0], size[1]
		x, y := randTensor(1, r, c), randTensor(2, r, c)
		v, w := randTensor(3, c), randTensor(4, c)
		m := randTensor(5, c, r+2)

		orig := x.Clone().(*tensor.Dense)
		got, err := ReLU(x)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := tensor.Clamp(x, 0.0, math.Inf(1))
		sameTensor(t, "relu", got, want, 0)
		sameTensor(t, "relu leaves its input alone", x, orig, 0)

		got, _ = Add(x, y)
		want, _ = tensor.Add(x, y)
		sameTensor(t, "add", got, want, 0)

		got, _ = AddMatrixAndVector(x, v)
		sameTensor(t, "matrix + vector", got, broadcastAdd(t, x, v), 0)

		dot, _ := VectorDot(v, w)
		lib, _ := tensor.Inner(v, w)
		if math.Abs(dot-lib.(float64)) > 1e-12*float64(c) {
			t.Errorf("vector dot %v, library %v", dot, lib)
		}

		got, _ = MatrixVectorDot(x, v)
		want, _ = tensor.MatVecMul(x, v)
		sameTensor(t, "matrix·vector", got, want, 1e-12*float64(c))

		got, _ = MatrixDot(x, m)
		want, _ = tensor.MatMul(x, m)
		sameTensor(t, "matrix·matrix", got, want, 1e-12*float64(c))

		got, _ = Reshape(x, c, r)
		lr := x.Clone().(*tensor.Dense)
		_ = lr.Reshape(c, r)
		sameTensor(t, "reshape", got, lr, 0)

		got, _ = Transpose(x)
		lt := x.Clone().(*tensor.Dense)
		_ = lt.T()
		_ = lt.Transpose()
		sameTensor(t, "transpose", got, lt, 0)
	}
}

// broadcastAdd computes x + v with Gorgonia's BroadcastAdd, as Dense does.
func broadcastAdd(t *testing.T, x, v *tensor.Dense) *tensor.Dense {
	t.Helper()
	g := G.NewGraph()
	row := tensor.New(tensor.WithShape(1, v.Shape()[0]), tensor.WithBacking(v.Data()))
	xn := G.NodeFromAny(g, x, G.WithName("x"))
	vn := G.NodeFromAny(g, row, G.WithName("v"))
	z := G.Must(G.BroadcastAdd(xn, vn, nil, []byte{0}))
	return eval(t, g, z).(*tensor.Dense)
}

func TestReshapeAndTransposeAsInTheLesson(t *testing.T) {
	// The lesson reshapes its 3×5 matrix to (2, 3, 5), which cannot hold
	// 15 elements (numpy raises too); here 30 elements 0..29 are reshaped
	// to (2, 3, 5) and transposed to (5, 3, 2), as the lesson intends.
	d := make([]float64, 30)
	for i := range d {
		d[i] = float64(i)
	}
	x := tensor.New(tensor.WithShape(30), tensor.WithBacking(d))
	r, err := Reshape(x, 2, 3, -1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Shape().Eq(tensor.Shape{2, 3, 5}) {
		t.Fatalf("reshape to %v", r.Shape())
	}
	z, err := Transpose(r)
	if err != nil {
		t.Fatal(err)
	}
	if !z.Shape().Eq(tensor.Shape{5, 3, 2}) {
		t.Fatalf("transpose to %v", z.Shape())
	}
	// z[k, j, i] = r[i, j, k] = 15i + 5j + k.
	zs := z.Data().([]float64)
	for k := 0; k < 5; k++ {
		for j := 0; j < 3; j++ {
			for i := 0; i < 2; i++ {
				if got := zs[k*6+j*2+i]; got != float64(15*i+5*j+k) {
					t.Fatalf("z[%d,%d,%d] = %v, want %d", k, j, i, got, 15*i+5*j+k)
				}
			}
		}
	}
	lib := r.Clone().(*tensor.Dense)
	_ = lib.T()
	_ = lib.Transpose()
	sameTensor(t, "3-D transpose", z, lib, 0)
	bad := tensor.New(tensor.WithShape(3, 5), tensor.WithBacking(make([]float64, 15)))
	if _, err := Reshape(bad, 2, 3, 5); err == nil || !strings.Contains(err.Error(), "15 elements") {
		t.Errorf("reshape of 15 elements to (2, 3, 5): %v", err)
	}
}

func TestOpsRejectBadShapes(t *testing.T) {
	m, v := randTensor(1, 2, 3), randTensor(2, 4)
	f32 := tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))
	checks := []struct {
		err  error
		want string
	}{
		{second(ReLU(v)), "must have 2 axes"},
		{second(Add(m, randTensor(3, 3, 2))), "shape (2, 3) but y has (3, 2)"},
		{second(AddMatrixAndVector(m, v)), "3 columns but y has 4"},
		{second(MatrixVectorDot(m, v)), "3 columns but y has 4"},
		{second(MatrixDot(m, m)), "3 columns but y has 2 rows"},
		{second(ReLU(f32)), "float64"},
		{second(VectorDot(v, randTensor(1, 3))), "4 elements but y has 3"},
	}
	for i, c := range checks {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("check %d: error %v, want one containing %q", i, c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
