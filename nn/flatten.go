package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
)

// FlattenLayer is Keras's Flatten: each sample, whatever its shape,
// becomes a vector of its values in row-major order, (h, w, c) → (h·w·c).
// It copies nothing and has no weights.
type FlattenLayer struct{ LayerBase }

// Flatten returns a flattening layer.
func Flatten(opts ...Option) *FlattenLayer { return &FlattenLayer{NewLayerBase(opts...)} }

// Kind returns "Flatten".
func (l *FlattenLayer) Kind() string { return "Flatten" }

// Call calls the layer on x; see Call.
func (l *FlattenLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan gives a vector of all the input's values.
func (l *FlattenLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	n := 1
	for _, d := range x {
		n *= d
	}
	return Plan{Output: []int{n}}, nil
}

// Forward builds the flattening view.
func (l *FlattenLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return graph.Flatten(in[0])
}

// Config returns no settings.
func (l *FlattenLayer) Config() map[string]any { return nil }

func init() {
	mustRegister("Flatten", func(c json.RawMessage) (Layer, error) {
		var cfg struct{}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		return Flatten(), nil
	})
}
