package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// GlobalAveragePooling2DLayer is Keras's GlobalAveragePooling2D: the
// mean of each channel of (height, width, channels) images over all its
// positions, a vector of one value per channel. It has no weights.
type GlobalAveragePooling2DLayer struct{ LayerBase }

// GlobalAveragePooling2D returns a global average pooling layer.
func GlobalAveragePooling2D(opts ...Option) *GlobalAveragePooling2DLayer {
	return &GlobalAveragePooling2DLayer{NewLayerBase(opts...)}
}

// Kind returns "GlobalAveragePooling2D".
func (l *GlobalAveragePooling2DLayer) Kind() string { return "GlobalAveragePooling2D" }

// Call calls the layer on x; see Call.
func (l *GlobalAveragePooling2DLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks for images and gives a vector of their channels.
func (l *GlobalAveragePooling2DLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if len(x) != 3 {
		return Plan{}, errors.Errorf("a GlobalAveragePooling2D layer takes (height, width, channels) images, but its input samples have shape %s", dims(x))
	}
	return Plan{Output: []int{x[2]}}, nil
}

// Forward builds the pooling.
func (l *GlobalAveragePooling2DLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return graph.GlobalAvgPool2D(in[0])
}

// Config returns no settings.
func (l *GlobalAveragePooling2DLayer) Config() map[string]any { return nil }

func init() {
	mustRegister("GlobalAveragePooling2D", func(c json.RawMessage) (Layer, error) {
		var cfg struct{}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		return GlobalAveragePooling2D(), nil
	})
}
