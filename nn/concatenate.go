package nn

import (
	"encoding/json"
	"slices"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ConcatenateLayer is Keras's Concatenate: its inputs joined along one
// axis of their samples, the last by default (the channels of images,
// the features of vectors); the other dimensions must agree. It has no
// weights.
type ConcatenateLayer struct {
	LayerBase
	// Axis is the axis joined along, counted in the samples' dimensions
	// from 1 (the batch axis is 0 and cannot be joined along) or, when
	// negative, from the end: Keras's default −1 is the last.
	Axis int
}

// Concatenate returns a concatenating layer along the last axis; set
// Axis to join along another.
func Concatenate(opts ...Option) *ConcatenateLayer {
	return &ConcatenateLayer{LayerBase: NewLayerBase(opts...), Axis: -1}
}

// Kind returns "Concatenate".
func (l *ConcatenateLayer) Kind() string { return "Concatenate" }

// Call calls the layer on the inputs; see Call.
func (l *ConcatenateLayer) Call(inputs ...*Tensor) *Tensor { return Call(l, inputs...) }

// axis returns the axis of the samples' dimensions (from 0) joined along,
// for samples of rank r.
func (l *ConcatenateLayer) axis(r int) (int, error) {
	a := l.Axis
	if a < 0 {
		a += r + 1
	}
	if a < 1 || a > r {
		return 0, errors.Errorf("axis %d is outside the samples' %d dimensions (1 to %d, or -1 to -%d; 0 is the batch)", l.Axis, r, r, r)
	}
	return a - 1, nil
}

// Plan checks that the inputs agree but along the axis and adds up
// their sizes along it.
func (l *ConcatenateLayer) Plan(in [][]int) (Plan, error) {
	if len(in) < 1 {
		return Plan{}, errors.New("a Concatenate layer needs inputs")
	}
	a, err := l.axis(len(in[0]))
	if err != nil {
		return Plan{}, err
	}
	out := slices.Clone(in[0])
	for i, s := range in[1:] {
		other := slices.Clone(s)
		if len(s) == len(out) {
			other[a] = out[a]
		}
		if !slices.Equal(other, out) {
			return Plan{}, errors.Errorf("input %d has shape %s and input 0 %s: they must agree on all but axis %d", i+1, dims(s), dims(in[0]), l.Axis)
		}
		out[a] += s[a]
	}
	return Plan{Output: out}, nil
}

// Forward builds the concatenation.
func (l *ConcatenateLayer) Forward(in, _ []*G.Node, _ train.Mode) (*G.Node, error) {
	a, err := l.axis(in[0].Dims() - 1)
	if err != nil {
		return nil, err
	}
	return graph.Concat(a+1, in...)
}

// Config returns {"axis": …}.
func (l *ConcatenateLayer) Config() map[string]any { return map[string]any{"axis": l.Axis} }

func init() {
	mustRegister("Concatenate", func(c json.RawMessage) (Layer, error) {
		var cfg struct {
			Axis *int `json:"axis"`
		}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		l := Concatenate()
		if cfg.Axis != nil {
			l.Axis = *cfg.Axis
		}
		return l, nil
	})
}
