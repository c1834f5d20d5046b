package nn

import (
	"encoding/json"
	"slices"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ReshapeLayer is Keras's Reshape: each sample's values, in row-major
// order, in another shape of as many values. It copies nothing and has
// no weights.
type ReshapeLayer struct {
	LayerBase
	target []int
}

// Reshape returns a layer that gives each sample the shape target (without
// the batch axis); one dimension may be −1, worked out from the others,
// as in Keras.
func Reshape(target []int, opts ...Option) *ReshapeLayer {
	return &ReshapeLayer{LayerBase: NewLayerBase(opts...), target: slices.Clone(target)}
}

// Kind returns "Reshape".
func (l *ReshapeLayer) Kind() string { return "Reshape" }

// TargetShape returns the shape the layer was given, −1 included.
func (l *ReshapeLayer) TargetShape() []int { return slices.Clone(l.target) }

// Call calls the layer on x; see Call.
func (l *ReshapeLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan works out the output's shape and checks that it holds as many
// values as the input.
func (l *ReshapeLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if len(l.target) == 0 {
		return Plan{}, errors.New("the target shape is empty")
	}
	n, _ := product(x, maxSampleValues)
	out, known, free := slices.Clone(l.target), 1, -1
	for i, d := range out {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return Plan{}, errors.Errorf("target shape %s: each dimension must be positive, one may be -1", dims(l.target))
		default:
			known *= d
		}
	}
	if free >= 0 {
		if known == 0 || n%known != 0 {
			return Plan{}, errors.Errorf("samples of shape %s (%d values) do not fit target shape %s", dims(x), n, dims(l.target))
		}
		out[free] = n / known
		known *= out[free]
	}
	if known != n {
		return Plan{}, errors.Errorf("samples of shape %s (%d values) cannot take shape %s (%d values)", dims(x), n, dims(l.target), known)
	}
	return Plan{Output: out}, nil
}

// Forward builds the view.
func (l *ReshapeLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	out, err := l.Plan([][]int{in[0].Shape()[1:]})
	if err != nil {
		return nil, err
	}
	return graph.Reshape(in[0], out.Output...)
}

// Config returns {"target_shape": […]}.
func (l *ReshapeLayer) Config() map[string]any { return map[string]any{"target_shape": l.target} }

func init() {
	mustRegister("Reshape", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			TargetShape []int `json:"target_shape"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if cfg.TargetShape == nil {
			return nil, errors.New("config.target_shape is missing")
		}
		return Reshape(cfg.TargetShape), nil
	})
}
