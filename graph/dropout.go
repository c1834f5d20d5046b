package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropouts numbers the Dropout nodes made, so that no two are merged.
var dropouts atomic.Uint64

// Dropout returns Keras's inverted dropout of x, a float32 or float64
// tensor node of any shape, for graphs that train: every run draws a fresh
// mask from rng, keeping each element with probability 1 − rate and
// scaling the kept ones by 1/(1 − rate), so that the expected output is x;
// the others are 0. Its gradient is the incoming gradient times the same
// mask (0 or 1/(1 − rate)). Outside training Keras's Dropout is the
// identity: leave the node out of graphs that predict.
//
// rng is the caller's, shared with whatever else draws from it, and is
// the only source of randomness: the same seed and the same graph give
// the same masks. Each element takes 32 random bits (two elements per
// rng.Uint64) and is kept when they are at least ⌈rate·2³²⌉: with
// probability 1 − rate to within 2⁻³². rate 0 returns x itself and draws
// nothing. Two Dropout calls on one node make two nodes, each with masks
// of its own (Gorgonia would merge identical ops on the same input).
//
// A nil node, a scalar or non-float node, a nil rng, or a rate outside
// [0, 1) (NaN included) is an error naming it.
func Dropout(x *G.Node, rate float64, rng *rand.Rand) (*G.Node, error) {
	if err := checkFloatNode("Dropout input", x, 0, ""); err != nil {
		return nil, err
	}
	if x.IsScalar() {
		return nil, errors.Errorf("Dropout needs a tensor, got the scalar node %v", x.Name())
	}
	if !(rate >= 0 && rate < 1) {
		return nil, errors.Errorf("Dropout: rate %v is outside [0, 1) (input shape %v)", rate, x.Shape())
	}
	if rng == nil {
		return nil, errors.Errorf("Dropout: nil random source (input shape %v)", x.Shape())
	}
	if rate == 0 {
		return x, nil
	}
	op := &dropoutOp{rate: rate, rng: rng, threshold: uint64(math.Ceil(rate * (1 << 32)))}
	op.name = fmt.Sprintf("Dropout(rate %v, #%d)", rate, dropouts.Add(1))
	y, err := G.ApplyOp(op, x)
	return y, errors.Wrap(err, "Dropout")
}

// dropoutOp computes Dropout into a buffer it owns, keeping its mask for
// its gradient op. With fwd set it is that gradient instead: for inputs
// (y, g), where y is fwd's output, g times fwd's last mask; having y as an
// input puts it after fwd in every run.
type dropoutOp struct {
	opInfo
	rate      float64
	rng       *rand.Rand
	threshold uint64 // an element is kept when its 32 random bits are ≥ threshold
	fwd       *dropoutOp
	keep      []bool // the last run's mask
	out       owned
}

func (op *dropoutOp) Arity() int {
	if op.fwd != nil {
		return 2
	}
	return 1
}

func (op *dropoutOp) Type() hm.Type {
	if op.fwd != nil {
		return fnType(0, 0, 0)
	}
	return fnType(0, 0)
}

func (op *dropoutOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, errors.Errorf("%s takes %d inputs, got %d", op.name, op.Arity(), len(in))
	}
	s, ok := in[len(in)-1].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s needs a known shape, got %v", op.name, in[0])
	}
	return s.Clone(), nil
}

func (op *dropoutOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(op, vals, len(vals)-1, dropoutDo[float32], dropoutDo[float64])
}

func dropoutDo[T float32 | float64](op *dropoutOp, dt tensor.Dtype, vals []G.Value) (G.Value, error) {
	v := vals[len(vals)-1] // x, or the incoming gradient
	x, err := floats[T](op.name, v)
	if err != nil {
		return nil, err
	}
	m := op
	if op.fwd != nil {
		m = op.fwd
		if len(m.keep) != len(x) {
			return nil, errors.Errorf("%s: the forward Dropout's last mask has %d elements, the gradient %d (shape %v)",
				op.name, len(m.keep), len(x), v.Shape())
		}
	} else {
		if len(op.keep) != len(x) {
			op.keep = make([]bool, len(x))
		}
		keep := op.keep
		for i := 0; i < len(keep); i += 2 {
			r := op.rng.Uint64()
			keep[i] = r&math.MaxUint32 >= op.threshold
			if i+1 < len(keep) {
				keep[i+1] = r>>32 >= op.threshold
			}
		}
	}
	y := op.out.like(dt, v.Shape())
	ys, _ := floats[T](op.name, y)
	scale := T(1 / (1 - m.rate))
	for i, k := range m.keep {
		if k {
			ys[i] = x[i] * scale
		} else {
			ys[i] = 0
		}
	}
	return y, nil
}

// DiffWRT reports that Dropout is differentiable and its gradient is not.
func (op *dropoutOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	if op.fwd == nil && inputs == 1 {
		d[0] = true
	}
	return d
}

// SymDiff returns Dropout's gradient: the incoming gradient times the
// mask.
func (op *dropoutOp) SymDiff(_ G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	if op.fwd != nil {
		return nil, errors.Errorf("%s is not differentiable", op.name)
	}
	gop := &dropoutOp{opInfo: opInfo{"DropoutGrad" + op.name[len("Dropout"):]}, fwd: op}
	dx, err := G.ApplyOp(gop, y, grad)
	if err != nil {
		return nil, errors.Wrap(err, "Dropout: gradient")
	}
	return G.Nodes{dx}, nil
}

var _ G.SDOp = (*dropoutOp)(nil)
