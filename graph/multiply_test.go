package graph

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestMultiplyValues(t *testing.T) {
	rng := NewRand(22)
	for _, s := range [][]int{{5}, {3, 4}, {2, 3, 4}, {2, 3, 3, 2}, {300, 300}} {
		for n := 2; n <= 4; n++ {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				xs := make([]*tensor.Dense, n)
				for i := range xs {
					xs[i] = convRand(rng, -2, 2, s...)
				}
				got, ins := naryValues(t, Multiply, dt, xs...)
				for j := range got {
					// The product is taken in the inputs' order, in dt.
					want := ins[0][j]
					for _, in := range ins[1:] {
						want *= in[j]
						if dt == tensor.Float32 {
							want = float64(float32(want))
						}
					}
					if got[j] != want {
						t.Fatalf("%v, %d inputs, %v: element %d is %v, want %v", s, n, dt, j, got[j], want)
					}
				}
			}
		}
	}
}

func TestMultiplyGradients(t *testing.T) {
	rng := NewRand(23)
	withZero := convRand(rng, -1, 1, 3, 4)
	withZero.Data().([]float64)[5] = 0
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Two", func(in []*G.Node) (*G.Node, error) { return Multiply(in[0], in[1]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 3, 4)}, []int{0, 1}},
		{"Three4D", func(in []*G.Node) (*G.Node, error) { return Multiply(in[0], in[1], in[2]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2, 3, 2, 2), convRand(rng, -1, 1, 2, 3, 2, 2)}, []int{0, 1, 2}},
		{"WithAZero", func(in []*G.Node) (*G.Node, error) { return Multiply(in[0], in[1], in[2]) },
			[]*tensor.Dense{withZero, convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 3, 4)}, []int{0, 1, 2}},
		{"SameNodeTwice", func(in []*G.Node) (*G.Node, error) { return Multiply(in[0], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 3, 4)}, []int{0}},
		{"SameNodeThrice", func(in []*G.Node) (*G.Node, error) { return Multiply(in[0], in[1], in[0], in[0]) },
			[]*tensor.Dense{convRand(rng, -1, 1, 5), convRand(rng, -1, 1, 5)}, []int{0, 1}},
		{"GateAfterTanh", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			s, err := Sigmoid(r[0])
			if err != nil {
				return nil, err
			}
			return Multiply(x, s)
		}), []*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -2, 2, 3, 4)}, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestMultiplyErrors(t *testing.T) {
	for _, tc := range naryErrorCases(G.NewGraph(), "Multiply") {
		y, err := Multiply(tc.xs...)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

// BenchmarkMultiply multiplies two float32 tensors and takes the
// gradients.
func BenchmarkMultiply(b *testing.B) {
	benchNary(b, Multiply)
}
