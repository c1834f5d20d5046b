package nn

import (
	"math/rand/v2"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// FlattenLayer is Keras's Flatten: each sample, whatever its shape,
// becomes a vector of its values in row-major order, (h, w, c) → (h·w·c).
// It copies nothing and has no weights.
type FlattenLayer struct{ layerBase }

// Flatten returns a flattening layer.
func Flatten(opts ...Option) *FlattenLayer { return &FlattenLayer{options(opts)} }

// Kind returns "Flatten".
func (l *FlattenLayer) Kind() string { return "Flatten" }

// Params returns nil: flattening has no weights.
func (l *FlattenLayer) Params() []train.Param { return nil }

func (l *FlattenLayer) plan(in []int) ([]int, int, error) {
	if err := l.onlyOptions("Flatten", false); err != nil {
		return nil, 0, err
	}
	n := 1
	for _, d := range in {
		n *= d
	}
	return []int{n}, 0, nil
}

func (l *FlattenLayer) build([]int, *rand.Rand) error { return nil }

func (l *FlattenLayer) forward(x *G.Node, _ []*G.Node, _ train.Mode) (out, logits *G.Node, err error) {
	out, err = graph.Flatten(x)
	return out, nil, err
}
