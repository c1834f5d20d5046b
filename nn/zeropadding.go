package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ZeroPadding2DLayer is Keras's ZeroPadding2D: rows of zeros above and
// below each (height, width, channels) image and columns of zeros left
// and right of it. It has no weights.
type ZeroPadding2DLayer struct {
	LayerBase
	pads [2][2]int
}

// ZeroPadding2D returns a layer that pads channels-last images with
// zeros, as Keras's ZeroPadding2D(padding=((top, bottom), (left,
// right))): padding[0] holds the rows added above and below, padding[1]
// the columns added left and right, so (H, W, C) images become (top+H+
// bottom, left+W+right, C). Keras's ZeroPadding2D(1) is
// ZeroPadding2D([2][2]int{{1, 1}, {1, 1}}).
func ZeroPadding2D(padding [2][2]int, opts ...Option) *ZeroPadding2DLayer {
	return &ZeroPadding2DLayer{LayerBase: NewLayerBase(opts...), pads: padding}
}

// Kind returns "ZeroPadding2D".
func (l *ZeroPadding2DLayer) Kind() string { return "ZeroPadding2D" }

// Pads returns the padding, ((top, bottom), (left, right)).
func (l *ZeroPadding2DLayer) Pads() [2][2]int { return l.pads }

// Call calls the layer on x; see Call.
func (l *ZeroPadding2DLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks for images and pads that are not negative, and gives the
// padded shape.
func (l *ZeroPadding2DLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	p := l.pads
	if p[0][0] < 0 || p[0][1] < 0 || p[1][0] < 0 || p[1][1] < 0 {
		return Plan{}, errors.Errorf("padding ((%d, %d), (%d, %d)): a pad is negative", p[0][0], p[0][1], p[1][0], p[1][1])
	}
	if len(x) != 3 {
		return Plan{}, errors.Errorf("a ZeroPadding2D layer takes (height, width, channels) images, but its input samples have shape %s", dims(x))
	}
	const most = maxSampleValues // each pad, so that the sums below cannot overflow
	if p[0][0] > most || p[0][1] > most || p[1][0] > most || p[1][1] > most {
		return Plan{}, errors.Errorf("padding ((%d, %d), (%d, %d)): a pad is larger than %d", p[0][0], p[0][1], p[1][0], p[1][1], most)
	}
	return Plan{Output: []int{p[0][0] + x[0] + p[0][1], p[1][0] + x[1] + p[1][1], x[2]}}, nil
}

// Forward builds the padding.
func (l *ZeroPadding2DLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return graph.ZeroPad2D(in[0], l.pads)
}

// Config returns {"padding": [[top, bottom], [left, right]],
// "data_format": "channels_last"}, as Keras's.
func (l *ZeroPadding2DLayer) Config() map[string]any {
	p := l.pads
	return map[string]any{
		"padding":     [][]int{{p[0][0], p[0][1]}, {p[1][0], p[1][1]}},
		"data_format": "channels_last",
	}
}

func init() {
	mustRegister("ZeroPadding2D", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Padding    [][]int `json:"padding"`
			DataFormat *string `json:"data_format"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if cfg.Padding == nil {
			return nil, errors.New("config.padding is missing")
		}
		if len(cfg.Padding) != 2 || len(cfg.Padding[0]) != 2 || len(cfg.Padding[1]) != 2 {
			return nil, errors.Errorf("config.padding %v: want [[top, bottom], [left, right]]", cfg.Padding)
		}
		if cfg.DataFormat != nil && *cfg.DataFormat != "channels_last" {
			return nil, errors.Errorf("config.data_format %q: only \"channels_last\" is supported", *cfg.DataFormat)
		}
		p := cfg.Padding
		return ZeroPadding2D([2][2]int{{p[0][0], p[0][1]}, {p[1][0], p[1][1]}}), nil
	})
}
