package nn

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// An Activation is applied to a layer's output. The zero value is Linear.
type Activation struct {
	name string
	f    graph.Activation
}

// The activations Keras names "relu", "sigmoid", "tanh", "softmax",
// "log_softmax" and "linear". LogSoftmax gives log-probabilities,
// x − log Σ exp(x) over each sample's vector, computed stably. The
// losses do not mistake it for a softmax: as in Keras, a cross-entropy
// reads any output but a softmax's or a sigmoid's as probabilities, so
// a model ending in LogSoftmax needs a loss on log-probabilities (the
// negative log-likelihood) of one's own; it serves mostly for
// prediction, as an imported model's output.
var (
	ReLU       = Activation{"relu", graph.ReLU}
	Sigmoid    = Activation{"sigmoid", graph.Sigmoid}
	Tanh       = Activation{"tanh", graph.Tanh}
	Softmax    = Activation{"softmax", graph.Softmax}
	LogSoftmax = Activation{"log_softmax", graph.LogSoftmax}
	Linear     = Activation{"linear", graph.Linear}
)

// activations are the activations a saved model may name.
var activations = map[string]Activation{
	"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax, "log_softmax": LogSoftmax, "linear": Linear,
}

// ActivationNamed returns the activation Keras calls name: "relu",
// "sigmoid", "tanh", "softmax", "log_softmax" or "linear"; any other
// name is an error naming it.
func ActivationNamed(name string) (Activation, error) {
	a, ok := activations[name]
	if !ok {
		names := make([]string, 0, len(activations))
		for k := range activations {
			names = append(names, k)
		}
		sort.Strings(names)
		return Activation{}, errors.Errorf("unknown activation %q (want %s)", name, strings.Join(names, ", "))
	}
	return a, nil
}

// Name returns the Keras name of the activation.
func (a Activation) Name() string {
	if a.f == nil {
		return Linear.name
	}
	return a.name
}

// check returns an error if the activation cannot follow an output of
// the given rank (samples' dimensions): softmax and log_softmax need
// vectors.
func (a Activation) check(rank int) error {
	if n := a.Name(); (n == Softmax.name || n == LogSoftmax.name) && rank != 1 {
		return errors.Errorf("%s needs vector outputs, but this layer's samples have %d dimensions", n, rank)
	}
	return nil
}

// apply builds the activation on z.
func (a Activation) apply(z *G.Node) (*G.Node, error) {
	if a.f == nil {
		return z, nil
	}
	return a.f(z)
}

// ActivationLayer is Keras's Activation layer: an activation applied to
// its input, on its own. It has no weights.
type ActivationLayer struct {
	LayerBase
	activation Activation
}

// Activate returns Keras's Activation layer (its Kind is "Activation"):
// Activate(ReLU).Call(x) is relu(x), as after a BatchNormalization.
func Activate(a Activation, opts ...Option) *ActivationLayer {
	return &ActivationLayer{LayerBase: NewLayerBase(opts...), activation: a}
}

// Kind returns "Activation".
func (l *ActivationLayer) Kind() string { return "Activation" }

// Activation returns the layer's activation.
func (l *ActivationLayer) Activation() Activation { return l.activation }

// Call calls the layer on x; see Call.
func (l *ActivationLayer) Call(x *Tensor) *Tensor { return Call(l, x) }

// Plan gives the input's shape.
func (l *ActivationLayer) Plan(in [][]int) (Plan, error) {
	x, err := one(l, in)
	if err != nil {
		return Plan{}, err
	}
	if err := l.activation.check(len(x)); err != nil {
		return Plan{}, err
	}
	return Plan{Output: x}, nil
}

// Forward applies the activation.
func (l *ActivationLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	return l.activation.apply(in[0])
}

// Config returns {"activation": name}.
func (l *ActivationLayer) Config() map[string]any {
	return map[string]any{"activation": l.activation.Name()}
}

func init() {
	mustRegister("Activation", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Activation *string `json:"activation"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		a, err := activationSetting(cfg.Activation)
		if err != nil {
			return nil, err
		}
		return Activate(a), nil
	})
}

// activationSetting reads a config's activation, which must be there.
func activationSetting(name *string) (Activation, error) {
	if name == nil {
		return Activation{}, errors.New("config.activation is missing")
	}
	a, err := ActivationNamed(*name)
	return a, errors.Wrap(err, "config.activation")
}

// one returns the shape of a layer's single input, or an error if it has
// several.
func one(l Layer, in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%s %s layer takes one input, got %d", article(l.Kind()), l.Kind(), len(in))
	}
	return in[0], nil
}

// required returns an error naming the first missing setting: names[i]
// is missing when present[i] is false.
func required(names []string, present ...bool) error {
	for i, ok := range present {
		if !ok {
			return errors.Errorf("config.%s is missing", names[i])
		}
	}
	return nil
}
