package nn

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// PermuteLayer is Keras's Permute: each sample's axes reordered, the
// batch axis kept first. Its values are copied in their new row-major
// order, so a Flatten or Reshape after it sees them so. It has no
// weights.
type PermuteLayer struct {
	LayerBase
	dims []int
}

// Permute returns a layer that reorders the axes of each sample as
// Keras's Permute(dims) does: dims is a permutation of 1 … rank, the
// sample's axes counted from 1 (the batch axis left out), and output axis
// i is input axis dims[i]: Permute([]int{2, 1}) transposes matrices,
// Permute([]int{3, 1, 2}) turns (H, W, C) images into (C, H, W).
func Permute(dims []int, opts ...Option) *PermuteLayer {
	return &PermuteLayer{LayerBase: NewLayerBase(opts...), dims: slices.Clone(dims)}
}

// Kind returns "Permute".
func (l *PermuteLayer) Kind() string { return "Permute" }

// Dims returns the permutation the layer was given, counted from 1.
func (l *PermuteLayer) Dims() []int { return slices.Clone(l.dims) }

// Call calls the layer on x; see Call.
func (l *PermuteLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks that dims is a permutation of the input's sample axes and
// gives the permuted shape.
func (l *PermuteLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if len(l.dims) != len(x) {
		return Plan{}, errors.Errorf("dims %s has %d entries, but the input's samples have shape %s, %d axes", dimsTuple(l.dims), len(l.dims), dims(x), len(x))
	}
	seen := make([]bool, len(x))
	out := make([]int, len(x))
	for i, d := range l.dims {
		if d < 1 || d > len(x) || seen[d-1] {
			return Plan{}, errors.Errorf("dims %s is not a permutation of 1 … %d (the sample axes, counted from 1), each once", dimsTuple(l.dims), len(x))
		}
		seen[d-1] = true
		out[i] = x[d-1]
	}
	return Plan{Output: out}, nil
}

// dimsTuple writes integers as a Python tuple does: (3, 1, 2).
func dimsTuple(v []int) string {
	parts := make([]string, len(v))
	for i, d := range v {
		parts[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Forward builds the permutation of the (batch, …) node, the batch axis
// kept.
func (l *PermuteLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	if _, err := l.Plan([][]int{in[0].Shape()[1:]}); err != nil {
		return nil, err
	}
	return graph.Permute(in[0], append([]int{0}, l.dims...)...)
}

// Config returns {"dims": […]}.
func (l *PermuteLayer) Config() map[string]any { return map[string]any{"dims": slices.Clone(l.dims)} }

func init() {
	mustRegister("Permute", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Dims []int `json:"dims"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if cfg.Dims == nil {
			return nil, errors.New("config.dims is missing")
		}
		return Permute(cfg.Dims), nil
	})
}
