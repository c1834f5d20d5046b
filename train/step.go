package train

import (
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
// tensors its inputs are bound to and the values it reads out.
type step struct {
	vm    G.VM
	x, y  []float32 // backing of the bound input and target tensors
	out   G.Value
	loss  G.Value
	grads []G.Value
}

// newStep builds the network's graph for batches of the given size.
// Parameter nodes are bound to the network's own tensors (vectors as
// (1, n) views of the same memory), so every step shares the weights.
func newStep(net Network, loss Loss, batch int, p purpose) (*step, error) {
	in, outW := net.InputWidth(), net.OutputWidth()
	g := G.NewGraph()
	s := &step{x: make([]float32, batch*in)}
	x := G.NewMatrix(g, G.Float32, G.WithShape(batch, in), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(batch, in), tensor.WithBacking(s.x))))
	params := net.Params()
	nodes := make([]*G.Node, len(params))
	for i, prm := range params {
		v := prm.Value
		if v.Dims() == 1 {
			v = tensor.New(tensor.WithShape(1, v.Shape()[0]), tensor.WithBacking(v.Data()))
		}
		nodes[i] = G.NodeFromAny(g, v, G.WithName(prm.Name))
	}
	out, logits, err := net.Forward(x, nodes)
	if err != nil {
		return nil, err
	}
	if !out.Shape().Eq(tensor.Shape{batch, outW}) {
		return nil, errors.Errorf("the network's output has shape %v, want (%d, %d)", out.Shape(), batch, outW)
	}
	G.Read(out, &s.out)
	if p != prediction {
		s.y = make([]float32, batch*outW)
		y := G.NewMatrix(g, G.Float32, G.WithShape(batch, outW), G.WithName("y"),
			G.WithValue(tensor.New(tensor.WithShape(batch, outW), tensor.WithBacking(s.y))))
		cost, err := loss.Build(out, logits, y)
		if err != nil {
			return nil, errors.Wrapf(err, "building the %s loss", loss.Name())
		}
		G.Read(cost, &s.loss)
		if p == training {
			grads, err := G.Grad(cost, nodes...)
			if err != nil {
				return nil, errors.Wrap(err, "differentiating the loss")
			}
			s.grads = make([]G.Value, len(grads))
			for i, gr := range grads {
				G.Read(gr, &s.grads[i])
			}
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
func (s *step) lossValue() float64 { return float64(s.loss.Data().(float32)) }

// output returns the batch's output values.
func (s *step) output() []float32 { return s.out.Data().([]float32) }

// gradients returns the gradient of each parameter, flattened.
func (s *step) gradients() [][]float32 {
	g := make([][]float32, len(s.grads))
	for i, v := range s.grads {
		g[i] = v.Data().([]float32)
	}
	return g
}
