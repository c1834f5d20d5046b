package plots

import (
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// softmaxRegression is a one-layer network, softmax(x·w + b), for the
// pictures of a real Fit.
type softmaxRegression struct {
	w, b *tensor.Dense
}

func newSoftmaxRegression(in, out int, seed uint64) *softmaxRegression {
	k := make([]float32, in*out)
	_ = graph.GlorotUniform(graph.NewRand(seed), in, out, k)
	return &softmaxRegression{
		w: tensor.New(tensor.WithShape(in, out), tensor.WithBacking(k)),
		b: tensor.New(tensor.WithShape(out), tensor.WithBacking(make([]float32, out))),
	}
}

func (n *softmaxRegression) Params() []train.Param {
	return []train.Param{{Name: "w", Value: n.w, Trainable: true}, {Name: "b", Value: n.b, Trainable: true}}
}
func (n *softmaxRegression) Inputs() []train.TensorSpec {
	return []train.TensorSpec{{Name: "x", Shape: []int{n.w.Shape()[0]}}}
}
func (n *softmaxRegression) Outputs() []train.TensorSpec {
	return []train.TensorSpec{{Name: "out", Shape: []int{n.w.Shape()[1]}}}
}
func (n *softmaxRegression) Forward(x []*G.Node, p []*G.Node, _ train.Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	out, err := graph.Softmax(z)
	return []*G.Node{out}, err
}

// blobs returns n rows of in features in 3 separable clusters, with
// one-hot labels.
func blobs(n, in int, seed uint64) (*tensor.Dense, *tensor.Dense) {
	rng := graph.NewRand(seed)
	x := make([]float32, n*in)
	y := make([]float32, n*3)
	for i := 0; i < n; i++ {
		c := rng.IntN(3)
		y[i*3+c] = 1
		for j := 0; j < in; j++ {
			x[i*in+j] = float32(rng.NormFloat64()*0.5) + float32(c*(j%3+1)) - 2
		}
	}
	return tensor.New(tensor.WithShape(n, in), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(y))
}

// compiled is a softmax regression of 4 inputs and 3 classes compiled
// with RMSprop, categorical cross-entropy and accuracy.
func compiled(t *testing.T, seed uint64) *train.Trainer {
	t.Helper()
	tr, err := train.Compile(newSoftmaxRegression(4, 3, seed), train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
