package nn

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2DLayer is Keras's Conv2D in its channels-last layout: samples are
// (height, width, channels) images, the kernel is (kh, kw, channels,
// filters), Glorot-uniform with fans kh·kw·channels and kh·kw·filters as
// Keras draws them, and the bias is (filters) zeros. The output is
// activation(x ⋆ kernel + bias), (out height, out width, filters).
type Conv2DLayer struct {
	LayerBase
	filters    int
	size       [2]int
	activation Activation
}

// Conv2D returns a 2-D convolution layer of the given filters and kernel
// size (rows, columns). Strides (default 1, 1) and Padding ("valid" by
// default, or "same") are options.
func Conv2D(filters int, kernel [2]int, activation Activation, opts ...Option) *Conv2DLayer {
	return &Conv2DLayer{LayerBase: NewLayerBase(opts...), filters: filters, size: kernel, activation: activation}
}

// Kind returns "Conv2D".
func (l *Conv2DLayer) Kind() string { return "Conv2D" }

func (l *Conv2DLayer) windowed() {}

// Filters returns the number of filters, the output's channels.
func (l *Conv2DLayer) Filters() int { return l.filters }

// KernelSize returns the kernel's (rows, columns).
func (l *Conv2DLayer) KernelSize() [2]int { return l.size }

// Activation returns the layer's activation.
func (l *Conv2DLayer) Activation() Activation { return l.activation }

// Kernel returns the (kh, kw, channels, filters) kernel (nil before
// Build).
func (l *Conv2DLayer) Kernel() *tensor.Dense { return l.weight("kernel") }

// Bias returns the (filters) bias (nil before Build).
func (l *Conv2DLayer) Bias() *tensor.Dense { return l.weight("bias") }

// Call calls the layer on x; see Call.
func (l *Conv2DLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan checks the images against the kernel and declares the kernel and
// the bias.
func (l *Conv2DLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if l.filters <= 0 {
		return Plan{}, errors.Errorf("filters must be positive, got %d", l.filters)
	}
	if l.size[0] <= 0 || l.size[1] <= 0 {
		return Plan{}, errors.Errorf("kernel size must be positive, got (%d, %d)", l.size[0], l.size[1])
	}
	out, err := windowOutput(&l.LayerBase, "Conv2D", "kernel", x, l.size, [2]int{1, 1})
	if err != nil {
		return Plan{}, err
	}
	if err := l.activation.check(3); err != nil {
		return Plan{}, err
	}
	return Plan{Output: []int{out[0], out[1], l.filters}, Weights: []WeightSpec{
		{Name: "kernel", Shape: []int{l.size[0], l.size[1], x[2], l.filters}, Init: GlorotUniform, Trainable: true},
		{Name: "bias", Shape: []int{l.filters}, Init: Zeros, Trainable: true},
	}}, nil
}

// Forward builds activation(x ⋆ kernel + bias).
func (l *Conv2DLayer) Forward(in, w []*G.Node, _ train.Mode) (*G.Node, error) {
	strides, padding, err := l.window([2]int{1, 1})
	if err != nil {
		return nil, err
	}
	z, err := graph.Conv2D(in[0], w[0], w[1], strides, padding)
	if err != nil {
		return nil, err
	}
	return l.activation.apply(z)
}

// Config returns filters, kernel_size, strides, padding and activation.
func (l *Conv2DLayer) Config() map[string]any {
	s, p, _ := l.window([2]int{1, 1})
	return map[string]any{"filters": l.filters, "kernel_size": l.size[:], "strides": s[:],
		"padding": p.String(), "activation": l.activation.Name()}
}

// windowOutput checks a windowed layer's (height, width, channels)
// input against its window (what names it: "kernel" or "pool") and
// returns the output's height and width.
func windowOutput(b *LayerBase, kind, what string, x []int, size, defStrides [2]int) ([2]int, error) {
	strides, padding, err := b.window(defStrides)
	if err != nil {
		return [2]int{}, err
	}
	if len(x) != 3 {
		return [2]int{}, errors.Errorf("%s %s layer takes (height, width, channels) images, but its input samples have shape %s", article(kind), kind, dims(x))
	}
	var out [2]int
	for i := range out {
		if out[i], err = graph.ConvOutput(x[i], size[i], strides[i], padding); err != nil {
			if what == "pool" {
				return out, errors.Wrapf(err, "a %d×%d pool on %s images leaves nothing", size[0], size[1], dims(x))
			}
			return out, errors.Wrapf(err, "a %d×%d %s on %s images", size[0], size[1], what, dims(x))
		}
	}
	return out, nil
}

// windowConfig is the settings of a windowed layer's config.
type windowConfig struct {
	Strides []int   `json:"strides"`
	Padding *string `json:"padding"`
}

// options returns the Strides and Padding options the config sets,
// checked.
func (c windowConfig) options() ([]Option, error) {
	var opts []Option
	if c.Strides != nil {
		if len(c.Strides) != 2 {
			return nil, errors.Errorf("config.strides has %d values, want 2", len(c.Strides))
		}
		opts = append(opts, Strides(c.Strides[0], c.Strides[1]))
	}
	if c.Padding != nil {
		if _, err := graph.ParsePadding(*c.Padding); err != nil {
			return nil, errors.Errorf("config.padding: unknown padding %q (want valid or same)", *c.Padding)
		}
		opts = append(opts, Padding(*c.Padding))
	}
	return opts, nil
}

// pair reads a config's 2-value setting, which must be there.
func pair(name string, v []int) ([2]int, error) {
	switch {
	case v == nil:
		return [2]int{}, errors.Errorf("config.%s is missing", name)
	case len(v) != 2:
		return [2]int{}, errors.Errorf("config.%s has %d values, want 2", name, len(v))
	}
	return [2]int{v[0], v[1]}, nil
}

func init() {
	mustRegister("Conv2D", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			windowConfig
			Filters    *int    `json:"filters"`
			KernelSize []int   `json:"kernel_size"`
			Activation *string `json:"activation"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		if err := required([]string{"filters"}, cfg.Filters != nil); err != nil {
			return nil, err
		}
		size, err := pair("kernel_size", cfg.KernelSize)
		if err != nil {
			return nil, err
		}
		a, err := activationSetting(cfg.Activation)
		if err != nil {
			return nil, err
		}
		opts, err := cfg.options()
		if err != nil {
			return nil, err
		}
		return Conv2D(*cfg.Filters, size, a, opts...), nil
	})
}
