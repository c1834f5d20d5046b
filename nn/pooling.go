package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// pooling is what MaxPooling2D and AveragePooling2D share: a window of
// pool (rows, columns) moved over each channel of (height, width,
// channels) images, by strides that default to the pool size.
type pooling struct {
	LayerBase
	pool [2]int
}

func (l *pooling) windowed() {}

// PoolSize returns the window's (rows, columns).
func (l *pooling) PoolSize() [2]int { return l.pool }

func (l *pooling) plan(kind string, in [][]int) (Plan, error) {
	if len(in) != 1 {
		return Plan{}, errors.Errorf("%s %s layer takes one input, got %d", article(kind), kind, len(in))
	}
	if l.pool[0] <= 0 || l.pool[1] <= 0 {
		return Plan{}, errors.Errorf("pool size must be positive, got (%d, %d)", l.pool[0], l.pool[1])
	}
	out, err := windowOutput(&l.LayerBase, kind, "pool", in[0], l.pool, l.pool)
	if err != nil {
		return Plan{}, err
	}
	return Plan{Output: []int{out[0], out[1], in[0][2]}}, nil
}

func (l *pooling) forward(x *G.Node, op func(*G.Node, [2]int, [2]int, graph.Padding) (*G.Node, error)) (*G.Node, error) {
	strides, padding, err := l.window(l.pool)
	if err != nil {
		return nil, err
	}
	return op(x, l.pool, strides, padding)
}

// Config returns pool_size, strides and padding.
func (l *pooling) Config() map[string]any {
	s, p, _ := l.window(l.pool)
	return map[string]any{"pool_size": l.pool[:], "strides": s[:], "padding": p.String()}
}

// registerPooling registers a pooling layer kind made by make.
func registerPooling(kind string, make func(pool [2]int, opts ...Option) Layer) {
	mustRegister(kind, func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			windowConfig
			PoolSize []int `json:"pool_size"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		pool, err := pair("pool_size", cfg.PoolSize)
		if err != nil {
			return nil, err
		}
		opts, err := cfg.options()
		if err != nil {
			return nil, err
		}
		return make(pool, opts...), nil
	})
}
