package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// purpose says what a compiled graph computes.
type purpose int

const (
	training   purpose = iota // loss, output and gradients
	evaluation                // loss and output
	prediction                // output only
)

// A step is one compiled graph for one batch size and purpose, with the
// tensors its inputs are bound to and the nodes whose values it reads out
// after each run (no copies: the values stay valid until the next run).
type step struct {
	vm    G.VM
	x, y  []float32 // backing of the bound input and target tensors
	out   *G.Node
	loss  *G.Node
	grads []*G.Node
	gbuf  [][]float32 // gradients() fills and returns it
}

// newStep builds the network's graph for batches of the given size.
// Parameter nodes are bound to the network's own tensors, so every step
// shares the weights.
func newStep(net Network, loss Loss, batch int, p purpose, rng *rand.Rand) (*step, error) {
	shape := append([]int{batch}, net.InputShape()...)
	outW := net.OutputWidth()
	g := G.NewGraph()
	s := &step{x: make([]float32, size(shape))}
	x := G.NewTensor(g, G.Float32, len(shape), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.x))))
	params := net.Params()
	nodes := make([]*G.Node, len(params))
	for i, prm := range params {
		nodes[i] = G.NodeFromAny(g, prm.Value, G.WithName(prm.Name))
	}
	out, logits, err := net.Forward(x, nodes, Mode{Training: p == training, Rand: rng})
	if err != nil {
		return nil, err
	}
	if !out.Shape().Eq(tensor.Shape{batch, outW}) {
		return nil, errors.Errorf("the network's output has shape %v, want (%d, %d)", out.Shape(), batch, outW)
	}
	s.out = out
	if p != prediction {
		s.y = make([]float32, batch*outW)
		y := G.NewMatrix(g, G.Float32, G.WithShape(batch, outW), G.WithName("y"),
			G.WithValue(tensor.New(tensor.WithShape(batch, outW), tensor.WithBacking(s.y))))
		cost, err := loss.Build(out, logits, y)
		if err != nil {
			return nil, errors.Wrapf(err, "building the %s loss", loss.Name())
		}
		s.loss = cost
		if p == training {
			if s.grads, err = G.Grad(cost, nodes...); err != nil {
				return nil, errors.Wrap(err, "differentiating the loss")
			}
			s.gbuf = make([][]float32, len(s.grads))
		}
	}
	s.vm = G.NewTapeMachine(g)
	return s, nil
}

// run executes the graph once on the batch loaded into s.x and s.y.
func (s *step) run() error {
	s.vm.Reset()
	return s.vm.RunAll()
}

// lossValue returns the batch's mean loss.
func (s *step) lossValue() float64 {
	switch v := s.loss.Value().(type) {
	case *G.F32:
		return float64(*v)
	case *tensor.Dense:
		return float64(v.Float32s()[0])
	}
	panic(fmt.Sprintf("train: the loss is a %T, not a float32 scalar", s.loss.Value()))
}

// output returns the batch's output values.
func (s *step) output() []float32 { return s.out.Value().(*tensor.Dense).Float32s() }

// gradients returns the gradient of each parameter, flattened.
func (s *step) gradients() [][]float32 {
	for i, n := range s.grads {
		s.gbuf[i] = n.Value().(*tensor.Dense).Float32s()
	}
	return s.gbuf
}
