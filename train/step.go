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
	training   purpose = iota // loss, outputs and gradients
	evaluation                // loss and outputs
	prediction                // outputs only
)

// A step is one compiled graph for one batch size and purpose, with the
// tensors its inputs are bound to and the nodes whose values it reads out
// after each run (no copies: the values stay valid until the next run).
type step struct {
	vm     G.VM
	x      [][]float32 // backing of each input's bound tensor
	y      [][]float32 // backing of each output's targets; nil where none
	outs   []*G.Node
	losses []*G.Node // each output's loss; nil where it has none
	loss   *G.Node   // the weighted total
	grads  []*G.Node // of the trainable parameters, in order; nil for one the loss does not depend on
	gbuf   [][]float32
}

// newStep builds the network's graph for batches of the given size.
// Parameter nodes are bound to the network's own tensors, so every step
// shares the weights; gradients are taken of the trainable ones only.
func newStep(net Network, objs []Objective, batch int, p purpose, rng *rand.Rand) (*step, error) {
	g := G.NewGraph()
	ins := net.Inputs()
	s := &step{x: make([][]float32, len(ins))}
	xs := make([]*G.Node, len(ins))
	for i, in := range ins {
		shape := append([]int{batch}, in.Shape...)
		s.x[i] = make([]float32, size(shape))
		xs[i] = G.NewTensor(g, G.Float32, len(shape), G.WithShape(shape...), G.WithName(fmt.Sprintf("x%d", i)),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.x[i]))))
	}
	params := net.Params()
	nodes := make([]*G.Node, len(params))
	var trainable []*G.Node
	for i, prm := range params {
		nodes[i] = G.NodeFromAny(g, prm.Value, G.WithName(prm.Name))
		if prm.Trainable {
			trainable = append(trainable, nodes[i])
		}
	}
	outs, err := net.Forward(xs, nodes, Mode{Training: p == training, Rand: rng})
	if err != nil {
		return nil, err
	}
	specs := net.Outputs()
	if len(outs) != len(specs) {
		return nil, errors.Errorf("the network gave %d outputs, want %d", len(outs), len(specs))
	}
	for i, o := range outs {
		if o == nil || !o.Shape().Eq(tensor.Shape{batch, specs[i].Shape[0]}) {
			return nil, errors.Errorf("the network's output %d (%s) has shape %v, want (%d, %d)", i, specs[i].Name, shapeOf(o), batch, specs[i].Shape[0])
		}
	}
	s.outs = outs
	if p != prediction {
		s.y = make([][]float32, len(outs))
		s.losses = make([]*G.Node, len(outs))
		var terms []*G.Node
		for i, o := range objs {
			if !o.needsTargets() {
				continue
			}
			w := specs[i].Shape[0]
			s.y[i] = make([]float32, batch*w)
			if o.Loss == nil {
				continue
			}
			y := G.NewMatrix(g, G.Float32, G.WithShape(batch, w), G.WithName(fmt.Sprintf("y%d", i)),
				G.WithValue(tensor.New(tensor.WithShape(batch, w), tensor.WithBacking(s.y[i]))))
			l, err := o.Loss.Build(outs[i], y)
			if err != nil {
				return nil, errors.Wrapf(err, "building the %s loss of output %d (%s)", o.Loss.Name(), i, specs[i].Name)
			}
			s.losses[i] = l
			if o.weight() != 1 {
				if l, err = G.Mul(l, G.NewConstant(float32(o.weight()))); err != nil {
					return nil, errors.Wrapf(err, "weighting the loss of output %d", i)
				}
			}
			terms = append(terms, l)
		}
		s.loss = terms[0]
		for _, l := range terms[1:] {
			if s.loss, err = G.Add(s.loss, l); err != nil {
				return nil, errors.Wrap(err, "adding the outputs' losses")
			}
		}
		if p == training {
			if err := s.differentiate(trainable); err != nil {
				return nil, err
			}
		}
	}
	s.vm = G.NewTapeMachine(g)
	return s, nil
}

// differentiate builds the gradient of the loss for each trainable
// parameter node. A parameter the loss does not depend on (one of an
// output without a loss) gets none: its gradient reads as zeros, as
// Keras skips variables without a gradient.
func (s *step) differentiate(trainable []*G.Node) error {
	deps := dependencies(s.loss)
	var wrt []*G.Node
	for _, n := range trainable {
		if deps[n] {
			wrt = append(wrt, n)
		}
	}
	s.grads = make([]*G.Node, len(trainable))
	s.gbuf = make([][]float32, len(trainable))
	if len(wrt) == 0 {
		return errors.New("the loss depends on no trainable weight")
	}
	grads, err := G.Grad(s.loss, wrt...)
	if err != nil {
		return errors.Wrap(err, "differentiating the loss")
	}
	for i, k := 0, 0; i < len(trainable); i++ {
		if deps[trainable[i]] {
			s.grads[i] = grads[k]
			k++
		} else {
			s.gbuf[i] = make([]float32, trainable[i].Shape().TotalSize())
		}
	}
	return nil
}

// dependencies returns the nodes n is computed from, n included.
func dependencies(n *G.Node) map[*G.Node]bool {
	g := n.Graph()
	seen := map[*G.Node]bool{n: true}
	stack := []*G.Node{n}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for it := g.From(top.ID()); it.Next(); {
			c := it.Node().(*G.Node)
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}

func shapeOf(n *G.Node) tensor.Shape {
	if n == nil {
		return nil
	}
	return n.Shape()
}

// run executes the graph once on the batch loaded into s.x and s.y.
func (s *step) run() error {
	s.vm.Reset()
	return s.vm.RunAll()
}

// scalar returns the value of a float32 scalar node, such as a loss.
func scalar(n *G.Node) float64 {
	switch v := n.Value().(type) {
	case *G.F32:
		return float64(*v)
	case *tensor.Dense:
		return float64(v.Float32s()[0])
	}
	panic(fmt.Sprintf("train: the loss is a %T, not a float32 scalar", n.Value()))
}

// output returns the batch's values of output i.
func (s *step) output(i int) []float32 { return s.outs[i].Value().(*tensor.Dense).Float32s() }

// gradients returns the gradient of each trainable parameter, flattened.
func (s *step) gradients() [][]float32 {
	for i, n := range s.grads {
		if n != nil {
			s.gbuf[i] = n.Value().(*tensor.Dense).Float32s()
		}
	}
	return s.gbuf
}
