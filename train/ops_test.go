package train

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mlp is in → Dense(hidden, relu) → Dense(3, softmax), built either from
// gokeras's ops (graph.Dense, graph.ReLU) or from Gorgonia's own (Mul,
// BroadcastAdd, Rectify), which differentiate every input, materialise the
// broadcast bias and allocate every output.
type mlp struct {
	params      []Param
	gorgoniaOps bool
	in, hidden  int
}

func newMLP(in, hidden int, seed uint64, gorgoniaOps bool) *mlp {
	rng := graph.NewRand(seed)
	n := &mlp{gorgoniaOps: gorgoniaOps, in: in, hidden: hidden}
	for i, s := range [][2]int{{in, hidden}, {hidden, 3}} {
		k := make([]float32, s[0]*s[1])
		_ = graph.GlorotUniform(rng, s[0], s[1], k)
		n.params = append(n.params,
			Param{string(rune('a'+i)) + "/kernel", tensor.New(tensor.WithShape(s[0], s[1]), tensor.WithBacking(k)), true},
			Param{string(rune('a'+i)) + "/bias", tensor.New(tensor.WithShape(s[1]), tensor.WithBacking(make([]float32, s[1]))), true})
	}
	return n
}

func (n *mlp) Params() []Param       { return n.params }
func (n *mlp) Inputs() []TensorSpec  { return []TensorSpec{{"x", []int{n.in}}} }
func (n *mlp) Outputs() []TensorSpec { return []TensorSpec{{"out", []int{3}}} }

func (n *mlp) dense(x, w, b *G.Node) (*G.Node, error) {
	if !n.gorgoniaOps {
		return graph.Dense(x, w, b)
	}
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, err
	}
	row, err := G.Reshape(b, tensor.Shape{1, b.Shape()[0]})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(xw, row, nil, []byte{0})
}

func (n *mlp) Forward(xs []*G.Node, p []*G.Node, _ Mode) ([]*G.Node, error) {
	z, err := n.dense(xs[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	var h *G.Node
	if n.gorgoniaOps {
		h, err = G.Rectify(z)
	} else {
		h, err = graph.ReLU(z)
	}
	if err != nil {
		return nil, err
	}
	logits, err := n.dense(h, p[2], p[3])
	if err != nil {
		return nil, err
	}
	out, err := graph.Softmax(logits)
	return []*G.Node{out}, err
}

// TestGokerasOpsTrainLikeGorgoniasOwn trains the same network from the
// same seed with both sets of ops: the History and the weights agree to
// float32 rounding.
func TestGokerasOpsTrainLikeGorgoniasOwn(t *testing.T) {
	x, y, _ := blobs(500, 8, 3)
	var hs []*History
	var nets []*mlp
	for _, gorgoniaOps := range []bool{false, true} {
		n := newMLP(8, 16, 4, gorgoniaOps)
		tr, err := Compile(n, RMSprop(), CategoricalCrossentropy(), Accuracy())
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(x, y, Epochs(4), BatchSize(32), Seed(2), Verbose(0))
		if err != nil {
			t.Fatalf("Gorgonia's ops %v: %v", gorgoniaOps, err)
		}
		hs, nets = append(hs, h), append(nets, n)
	}
	for _, name := range []string{"loss", "accuracy"} {
		a, b := hs[0].Values[name], hs[1].Values[name]
		for e := range a {
			if math.Abs(a[e]-b[e]) > 1e-4*math.Max(1, math.Abs(b[e])) {
				t.Errorf("epoch %d %s: gokeras's ops %v, Gorgonia's %v", e+1, name, a[e], b[e])
			}
		}
	}
	if hs[0].Values["loss"][3] >= hs[0].Values["loss"][0] {
		t.Errorf("loss did not fall: %v", hs[0].Values["loss"])
	}
	for i, p := range nets[0].params {
		a, b := p.Value.Float32s(), nets[1].params[i].Value.Float32s()
		for j := range a {
			if math.Abs(float64(a[j]-b[j])) > 1e-4 {
				t.Fatalf("%s[%d]: gokeras's ops %v, Gorgonia's %v", p.Name, j, a[j], b[j])
			}
		}
	}
}
