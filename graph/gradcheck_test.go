package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// block builds a node from float64 input nodes.
type block func(in []*G.Node) (*G.Node, error)

// checkGradient compares Gorgonia's symbolic gradient of a scalar built on
// top of b with central finite differences, for every element of every
// input listed in wrt. A non-scalar output is reduced to Σ out⊙R with a
// fixed random R, so every output element's gradient matters.
func checkGradient(t *testing.T, b block, inputs []*tensor.Dense, wrt []int, tol float64) {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(inputs))
	for i, v := range inputs {
		nodes[i] = G.NodeFromAny(g, v, G.WithName(string(rune('a'+i))))
	}
	out, err := b(nodes)
	if err != nil {
		t.Fatalf("building: %v", err)
	}
	cost := out
	if !out.IsScalar() {
		rng := rand.New(rand.NewPCG(7, 7))
		r := make([]float64, out.Shape().TotalSize())
		for i := range r {
			r[i] = rng.Float64()*2 - 1
		}
		rn := G.NewTensor(g, G.Float64, out.Dims(), G.WithShape(out.Shape()...), G.WithName("r"),
			G.WithValue(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(r))))
		cost = G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
	}
	wrtNodes := make([]*G.Node, len(wrt))
	for i, k := range wrt {
		wrtNodes[i] = nodes[k]
	}
	grads, err := G.Grad(cost, wrtNodes...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	var costVal G.Value
	G.Read(cost, &costVal)
	gradVals := make([]G.Value, len(grads))
	for i := range grads {
		G.Read(grads[i], &gradVals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() float64 {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatalf("RunAll: %v", err)
		}
		return costVal.Data().(float64)
	}
	run()
	const h = 1e-6
	for i, k := range wrt {
		analytic := append([]float64(nil), gradVals[i].Data().([]float64)...)
		data := inputs[k].Data().([]float64)
		for j := range data {
			orig := data[j]
			data[j] = orig + h
			up := run()
			data[j] = orig - h
			down := run()
			data[j] = orig
			numeric := (up - down) / (2 * h)
			if d := math.Abs(numeric - analytic[j]); d > tol*math.Max(1, math.Abs(numeric)) {
				t.Errorf("input %d element %d: symbolic gradient %.10g, finite difference %.10g", k, j, analytic[j], numeric)
			}
		}
	}
}

// randMatrix returns a rows×cols float64 matrix of U(lo, hi) samples.
func randMatrix(rng *rand.Rand, rows, cols int, lo, hi float64) *tensor.Dense {
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = lo + (hi-lo)*rng.Float64()
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d))
}

// randVector returns a vector of n U(−1, 1) samples.
func randVector(rng *rand.Rand, n int) *tensor.Dense {
	d := make([]float64, n)
	for i := range d {
		d[i] = rng.Float64()*2 - 1
	}
	return tensor.New(tensor.WithShape(n), tensor.WithBacking(d))
}

// awayFromZero returns a matrix of values in ±[0.1, 1], where ReLU's kink
// cannot spoil a finite difference.
func awayFromZero(rng *rand.Rand, rows, cols int) *tensor.Dense {
	m := randMatrix(rng, rows, cols, 0.1, 1)
	for i, v := range m.Data().([]float64) {
		if rng.IntN(2) == 0 {
			m.Data().([]float64)[i] = -v
		}
	}
	return m
}

// oneHot returns rows one-hot rows of width cols.
func oneHot(rng *rand.Rand, rows, cols int) *tensor.Dense {
	d := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		d[i*cols+rng.IntN(cols)] = 1
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d))
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	unary := func(f Activation) block { return func(in []*G.Node) (*G.Node, error) { return f(in[0]) } }
	binary := func(f func(a, b *G.Node) (*G.Node, error)) block {
		return func(in []*G.Node) (*G.Node, error) { return f(in[0], in[1]) }
	}
	probs := randMatrix(rng, 4, 5, 0.05, 1) // unnormalised, inside the clip range
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Dense", func(in []*G.Node) (*G.Node, error) { return Dense(in[0], in[1], in[2]) },
			[]*tensor.Dense{randMatrix(rng, 3, 4, -1, 1), randMatrix(rng, 4, 5, -1, 1), randMatrix(rng, 1, 5, -1, 1)}, []int{1, 2}},
		{"DenseVectorBias", func(in []*G.Node) (*G.Node, error) { return Dense(in[0], in[1], in[2]) },
			[]*tensor.Dense{randMatrix(rng, 3, 4, -1, 1), randMatrix(rng, 4, 5, -1, 1), randVector(rng, 5)}, []int{1, 2}},
		{"DenseComputedInput", func(in []*G.Node) (*G.Node, error) {
			x, err := Tanh(in[0]) // not a leaf, so Dense builds its gradient
			if err != nil {
				return nil, err
			}
			return Dense(x, in[1], in[2])
		}, []*tensor.Dense{randMatrix(rng, 3, 4, -1, 1), randMatrix(rng, 4, 5, -1, 1), randVector(rng, 5)}, []int{0, 1, 2}},
		{"ReLUOfMatrixAndVector", func(in []*G.Node) (*G.Node, error) {
			h, err := ReLU(in[0])
			if err != nil {
				return nil, err
			}
			return Dense(h, in[1], in[2])
		}, []*tensor.Dense{awayFromZero(rng, 3, 4), randMatrix(rng, 4, 2, -1, 1), randVector(rng, 2)}, []int{0, 1, 2}},
		{"ReLU", unary(ReLU), []*tensor.Dense{awayFromZero(rng, 3, 4)}, []int{0}},
		{"Sigmoid", unary(Sigmoid), []*tensor.Dense{randMatrix(rng, 3, 4, -3, 3)}, []int{0}},
		{"Tanh", unary(Tanh), []*tensor.Dense{randMatrix(rng, 3, 4, -3, 3)}, []int{0}},
		{"Linear", func(in []*G.Node) (*G.Node, error) { return G.Mul(in[0], in[0]) }, []*tensor.Dense{randMatrix(rng, 3, 3, -1, 1)}, []int{0}},
		{"Softmax", unary(Softmax), []*tensor.Dense{randMatrix(rng, 3, 5, -4, 4)}, []int{0}},
		{"LogSoftmax", unary(LogSoftmax), []*tensor.Dense{randMatrix(rng, 3, 5, -4, 4)}, []int{0}},
		{"CrossentropyFromLogits", binary(CategoricalCrossentropyFromLogits),
			[]*tensor.Dense{randMatrix(rng, 4, 5, -4, 4), oneHot(rng, 4, 5)}, []int{0}},
		{"CrossentropyFromLogitsSoftTargets", binary(CategoricalCrossentropyFromLogits),
			[]*tensor.Dense{randMatrix(rng, 4, 5, -4, 4), randMatrix(rng, 4, 5, 0, 1)}, []int{0}},
		{"CrossentropyProbs", binary(CategoricalCrossentropy), []*tensor.Dense{probs, oneHot(rng, 4, 5)}, []int{0}},
		{"BinaryCrossentropyFromLogits", binary(BinaryCrossentropyFromLogits),
			[]*tensor.Dense{randMatrix(rng, 4, 3, -4, 4), randMatrix(rng, 4, 3, 0, 1)}, []int{0}},
		{"BinaryCrossentropyProbs", binary(BinaryCrossentropy),
			[]*tensor.Dense{randMatrix(rng, 4, 3, 0.05, 0.95), randMatrix(rng, 4, 3, 0, 1)}, []int{0}},
		{"SigmoidThenBinaryCrossentropy", func(in []*G.Node) (*G.Node, error) {
			p, err := Sigmoid(in[0])
			if err != nil {
				return nil, err
			}
			return BinaryCrossentropy(p, in[1])
		}, []*tensor.Dense{randMatrix(rng, 5, 1, -2, 2), randMatrix(rng, 5, 1, 0, 1)}, []int{0}},
		{"MeanSquaredError", binary(MeanSquaredError), []*tensor.Dense{randMatrix(rng, 4, 3, -2, 2), randMatrix(rng, 4, 3, -2, 2)}, []int{0}},
		{"SoftmaxThenCrossentropy", func(in []*G.Node) (*G.Node, error) {
			p, err := Softmax(in[0])
			if err != nil {
				return nil, err
			}
			return CategoricalCrossentropy(p, in[1])
		}, []*tensor.Dense{randMatrix(rng, 4, 5, -2, 2), oneHot(rng, 4, 5)}, []int{0}},
		{"TwoLayerNetwork", func(in []*G.Node) (*G.Node, error) {
			h, err := Dense(in[0], in[1], in[2])
			if err != nil {
				return nil, err
			}
			if h, err = Tanh(h); err != nil {
				return nil, err
			}
			o, err := Dense(h, in[3], in[4])
			if err != nil {
				return nil, err
			}
			return CategoricalCrossentropyFromLogits(o, in[5])
		}, []*tensor.Dense{randMatrix(rng, 3, 4, -1, 1), randMatrix(rng, 4, 6, -1, 1), randMatrix(rng, 1, 6, -1, 1),
			randMatrix(rng, 6, 3, -1, 1), randMatrix(rng, 1, 3, -1, 1), oneHot(rng, 3, 3)}, []int{1, 2, 3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}
