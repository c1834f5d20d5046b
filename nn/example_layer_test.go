package nn_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Scale multiplies each feature of its input by a trained factor:
// y = x·alpha. It embeds nn.LayerBase, which gives it a name, a
// trainable flag and its weights.
type Scale struct {
	nn.LayerBase
	Initial float64 // the factors' starting value
}

// NewScale returns a Scale layer whose factors start at initial.
func NewScale(initial float64, opts ...nn.Option) *Scale {
	return &Scale{LayerBase: nn.NewLayerBase(opts...), Initial: initial}
}

// Kind names the layer's class in summaries and saved files.
func (l *Scale) Kind() string { return "Scale" }

// Plan takes vectors of n features and gives vectors of n features; the
// layer needs one weight, alpha, of n factors.
func (l *Scale) Plan(in [][]int) (nn.Plan, error) {
	if len(in) != 1 || len(in[0]) != 1 {
		return nn.Plan{}, errors.New("a Scale layer takes one input of vectors")
	}
	n := in[0][0]
	start := func(_ *rand.Rand, _ []int, alpha []float32) error {
		for i := range alpha {
			alpha[i] = float32(l.Initial)
		}
		return nil
	}
	return nn.Plan{Output: []int{n}, Weights: []nn.WeightSpec{
		{Name: "alpha", Shape: []int{n}, Init: start, Trainable: true},
	}}, nil
}

// Forward multiplies x, (batch, n), by alpha, broadcast over the batch.
func (l *Scale) Forward(in, w []*G.Node, _ train.Mode) (*G.Node, error) {
	alpha, err := G.Reshape(w[0], tensor.Shape{1, w[0].Shape()[0]})
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(in[0], alpha, nil, []byte{0})
}

// Config gives the settings that Load needs to make the layer again.
func (l *Scale) Config() map[string]any { return map[string]any{"initial": l.Initial} }

func init() {
	// Load makes a saved "Scale" layer from its config with this.
	err := nn.RegisterLayer("Scale", func(config json.RawMessage) (nn.Layer, error) {
		var c struct {
			Initial float64 `json:"initial"`
		}
		if err := nn.DecodeConfig(config, &c); err != nil {
			return nil, err
		}
		return NewScale(c.Initial), nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// A layer of one's own, used, saved and loaded like the built-in ones.
func Example_userLayer() {
	model := nn.NewSequential(
		nn.Dense(8, nn.ReLU, nn.InputShape(4)),
		NewScale(0.5),
		nn.Dense(3, nn.Softmax),
	)
	if err := model.Build(1); err != nil {
		log.Fatal(err)
	}
	// Summary's rows end in spaces, trimmed here for the Output below.
	for _, line := range strings.Split(strings.TrimSpace(model.Summary()), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}

	dir, err := os.MkdirTemp("", "scale")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.npz")
	if err := model.Save(path); err != nil {
		log.Fatal(err)
	}
	loaded, err := nn.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	scale := loaded.Layer("scale").(*Scale)
	fmt.Println("loaded:", scale.Name(), scale.Kind(), scale.Initial, scale.Params()[0].Value.Data())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	// Layer (type)                 Output Shape              Param #
	// =================================================================
	// dense (Dense)                (None, 8)                 40
	// _________________________________________________________________
	// scale (Scale)                (None, 8)                 8
	// _________________________________________________________________
	// dense_1 (Dense)              (None, 3)                 27
	// =================================================================
	// Total params: 75
	// Trainable params: 75
	// Non-trainable params: 0
	// _________________________________________________________________
	// loaded: scale Scale 0.5 [0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5]
}
