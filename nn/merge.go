package nn

import (
	"encoding/json"
	"slices"

	"github.com/pkg/errors"
)

// merge is what the merge layers Add and Multiply share: two or more
// inputs of one shape, element-wise.
type merge struct{ LayerBase }

func (l *merge) plan(kind string, in [][]int) (Plan, error) {
	if len(in) < 2 {
		return Plan{}, errors.Errorf("%s %s layer merges two or more inputs, got %d", article(kind), kind, len(in))
	}
	for i, s := range in[1:] {
		if !slices.Equal(s, in[0]) {
			return Plan{}, errors.Errorf("%s %s layer needs inputs of one shape, but input %d has %s and input 0 %s", article(kind), kind, i+1, dims(s), dims(in[0]))
		}
	}
	return Plan{Output: slices.Clone(in[0])}, nil
}

// Config returns no settings.
func (l *merge) Config() map[string]any { return nil }

// registerMerge registers a merge layer kind without settings.
func registerMerge(kind string, make func() Layer) {
	mustRegister(kind, func(c json.RawMessage) (Layer, error) {
		var cfg struct{}
		if err := DecodeConfig(c, &cfg); err != nil {
			return nil, err
		}
		return make(), nil
	})
}
