package nn

import (
	"math/rand/v2"

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
	layerBase
	filters    int
	size       [2]int
	activation Activation

	kernel, bias *tensor.Dense
}

// Conv2D returns a 2-D convolution layer of the given filters and kernel
// size (rows, columns). Strides (default 1, 1) and Padding ("valid" by
// default, or "same") are options.
func Conv2D(filters int, kernel [2]int, activation Activation, opts ...Option) *Conv2DLayer {
	return &Conv2DLayer{layerBase: options(opts), filters: filters, size: kernel, activation: activation}
}

// Kind returns "Conv2D".
func (l *Conv2DLayer) Kind() string { return "Conv2D" }

// Filters returns the number of filters, the output's channels.
func (l *Conv2DLayer) Filters() int { return l.filters }

// KernelSize returns the kernel's (rows, columns).
func (l *Conv2DLayer) KernelSize() [2]int { return l.size }

// Activation returns the layer's activation.
func (l *Conv2DLayer) Activation() Activation { return l.activation }

// Kernel returns the (kh, kw, channels, filters) kernel (nil before
// Build).
func (l *Conv2DLayer) Kernel() *tensor.Dense { return l.kernel }

// Bias returns the (filters) bias (nil before Build).
func (l *Conv2DLayer) Bias() *tensor.Dense { return l.bias }

// Params returns conv2d/kernel and conv2d/bias (nil before Build).
func (l *Conv2DLayer) Params() []train.Param {
	if l.kernel == nil {
		return nil
	}
	return []train.Param{{Name: l.name + "/kernel", Value: l.kernel, Trainable: true}, {Name: l.name + "/bias", Value: l.bias, Trainable: true}}
}

func (l *Conv2DLayer) plan(in []int) ([]int, int, error) {
	if l.filters <= 0 {
		return nil, 0, errors.Errorf("filters must be positive, got %d", l.filters)
	}
	if l.size[0] <= 0 || l.size[1] <= 0 {
		return nil, 0, errors.Errorf("kernel size must be positive, got (%d, %d)", l.size[0], l.size[1])
	}
	strides, padding, err := l.window([2]int{1, 1})
	if err != nil {
		return nil, 0, err
	}
	if len(in) != 3 {
		return nil, 0, errors.Errorf("a Conv2D layer takes (height, width, channels) images, but its input samples have shape %s", dims(in))
	}
	if err := l.activation.check(3); err != nil {
		return nil, 0, err
	}
	oh, err := graph.ConvOutput(in[0], l.size[0], strides[0], padding)
	if err != nil {
		return nil, 0, errors.Wrapf(err, "a %d×%d kernel on %s images", l.size[0], l.size[1], dims(in))
	}
	ow, err := graph.ConvOutput(in[1], l.size[1], strides[1], padding)
	if err != nil {
		return nil, 0, errors.Wrapf(err, "a %d×%d kernel on %s images", l.size[0], l.size[1], dims(in))
	}
	fan := l.size[0] * l.size[1] * in[2]
	return []int{oh, ow, l.filters}, fan*l.filters + l.filters, nil
}

func (l *Conv2DLayer) build(in []int, rng *rand.Rand) error {
	receptive := l.size[0] * l.size[1]
	k := make([]float32, receptive*in[2]*l.filters)
	// Keras's fans for a convolution kernel: receptive field × in and
	// × out channels. The values fill (kh, kw, in, filters) in order.
	if err := graph.GlorotUniformFans(rng, receptive*in[2], receptive*l.filters, k); err != nil {
		return err
	}
	l.kernel = tensor.New(tensor.WithShape(l.size[0], l.size[1], in[2], l.filters), tensor.WithBacking(k))
	l.bias = tensor.New(tensor.WithShape(l.filters), tensor.WithBacking(make([]float32, l.filters)))
	return nil
}

func (l *Conv2DLayer) forward(x *G.Node, p []*G.Node, _ train.Mode) (out, logits *G.Node, err error) {
	strides, padding, err := l.window([2]int{1, 1})
	if err != nil {
		return nil, nil, err
	}
	z, err := graph.Conv2D(x, p[0], p[1], strides, padding)
	if err != nil {
		return nil, nil, err
	}
	return l.activation.apply(z)
}
