package callbacks

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The networks, data and recorders the callbacks' tests train with.

// softmaxRegression is a one-layer network: softmax(x·w + b).
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

// newLinear is x·w + b, no activation: a regression.
func newLinear(in, out int, seed uint64) train.Network {
	return linearNet{newSoftmaxRegression(in, out, seed)}
}

type linearNet struct{ *softmaxRegression }

func (n linearNet) Forward(x []*G.Node, p []*G.Node, _ train.Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	return []*G.Node{z}, err
}

// mlp is in → Dense(hidden, relu) → Dense(3, softmax), with a last,
// non-trainable weight of one value, "stat/moving", that the network does
// not use: it stands for a weight the network updates itself while
// training (BatchNormalization's moving statistics), which statUpdater
// plays the part of.
type mlp struct {
	params []train.Param
	in     int
}

func newMLP(in, hidden int, seed uint64) *mlp {
	rng := graph.NewRand(seed)
	n := &mlp{in: in}
	for i, s := range [][2]int{{in, hidden}, {hidden, 3}} {
		k := make([]float32, s[0]*s[1])
		_ = graph.GlorotUniform(rng, s[0], s[1], k)
		n.params = append(n.params,
			train.Param{Name: string(rune('a'+i)) + "/kernel", Value: tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(k)), Trainable: true},
			train.Param{Name: string(rune('a'+i)) + "/bias", Value: tensor.New(tensor.WithShape(s[1]), tensor.WithBacking(make([]float32, s[1]))), Trainable: true})
	}
	n.params = append(n.params, train.Param{Name: "stat/moving", Value: tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0}))})
	return n
}

func (n *mlp) Params() []train.Param { return n.params }
func (n *mlp) Inputs() []train.TensorSpec {
	return []train.TensorSpec{{Name: "x", Shape: []int{n.in}}}
}
func (n *mlp) Outputs() []train.TensorSpec {
	return []train.TensorSpec{{Name: "out", Shape: []int{3}}}
}
func (n *mlp) Forward(xs []*G.Node, p []*G.Node, _ train.Mode) ([]*G.Node, error) {
	z, err := graph.Dense(xs[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	h, err := graph.ReLU(z)
	if err != nil {
		return nil, err
	}
	logits, err := graph.Dense(h, p[2], p[3])
	if err != nil {
		return nil, err
	}
	out, err := graph.Softmax(logits)
	return []*G.Node{out}, err
}

// stat returns the mlp's non-trainable weight.
func (n *mlp) stat() float32 { return n.params[4].Value.Data().([]float32)[0] }

// statUpdater sets the mlp's non-trainable weight to the number of the
// epoch just ended (from 1) at each epoch's end, as a layer updating its
// statistics while training would change it.
type statUpdater struct {
	train.BaseCallback
	net *mlp
}

func (s statUpdater) OnEpochEnd(_ *train.Trainer, e int, _ train.Logs) error {
	s.net.params[4].Value.Data().([]float32)[0] = float32(e + 1)
	return nil
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
// with RMSprop, loss and accuracy.
func compiled(t *testing.T, seed uint64, loss train.Loss) *train.Trainer {
	t.Helper()
	tr, err := train.Compile(newSoftmaxRegression(4, 3, seed), train.RMSprop(), loss, train.Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// weightsOf returns a copy of the values of every weight of the
// trainer's network, trainable or not.
func weightsOf(tr *train.Trainer) [][]float32 {
	var ws [][]float32
	for _, p := range tr.Params() {
		ws = append(ws, append([]float32(nil), p.Value.Data().([]float32)...))
	}
	return ws
}

func sameBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// epochWatcher calls f at each epoch's end.
type epochWatcher struct {
	train.BaseCallback
	f func(t *train.Trainer, epoch int, logs train.Logs)
}

func (w *epochWatcher) OnEpochEnd(t *train.Trainer, e int, l train.Logs) error {
	w.f(t, e, l)
	return nil
}

// batchRecorder calls f at each training batch's end.
type batchRecorder struct {
	train.BaseCallback
	f func(b int, l train.Logs)
}

func (r *batchRecorder) OnTrainBatchEnd(_ *train.Trainer, b int, l train.Logs) error {
	r.f(b, l)
	return nil
}

// rateRecorder calls f at each epoch's start.
type rateRecorder struct {
	train.BaseCallback
	f func(*train.Trainer)
}

func (r *rateRecorder) OnEpochBegin(t *train.Trainer, _ int) error { r.f(t); return nil }
