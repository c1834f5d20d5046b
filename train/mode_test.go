package train

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// imageNet is softmax regression on (2, 2, 1) images, flattened in the
// graph; it records the modes its graphs were built for.
type imageNet struct {
	softmaxRegression
	modes []Mode
}

func (n *imageNet) Inputs() []TensorSpec { return []TensorSpec{{"image", []int{2, 2, 1}}} }

func (n *imageNet) Forward(x []*G.Node, p []*G.Node, mode Mode) ([]*G.Node, error) {
	n.modes = append(n.modes, mode)
	flat, err := G.Reshape(x[0], tensor.Shape{x[0].Shape()[0], 4})
	if err != nil {
		return nil, err
	}
	return n.softmaxRegression.Forward([]*G.Node{flat}, p, mode)
}

func TestImagesWithAndWithoutTheChannelAxis(t *testing.T) {
	x, y, _ := blobs(40, 4, 2)
	xd := x.Data().([]float32)
	var hs []*History
	for _, shape := range [][]int{{40, 2, 2, 1}, {40, 2, 2}} {
		net := &imageNet{softmaxRegression: *newSoftmaxRegression(4, 3, 1)}
		tr, err := Compile(net, RMSprop(), CategoricalCrossentropy(), Accuracy())
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xd)), y, Epochs(2), BatchSize(16), Verbose(0))
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		hs = append(hs, h)
		if _, err := tr.Fit(x, y, Verbose(0)); err == nil {
			t.Errorf("a (rows, 4) input to a (2, 2, 1) network: no error")
		}
	}
	for e, l := range hs[0].Values["loss"] {
		if hs[1].Values["loss"][e] != l {
			t.Errorf("epoch %d: loss %v with the channel axis, %v without", e+1, l, hs[1].Values["loss"][e])
		}
	}
}

func TestModesAndTheSeededGenerator(t *testing.T) {
	x, y, _ := blobs(20, 4, 2)
	net := &imageNet{softmaxRegression: *newSoftmaxRegression(4, 3, 1)}
	tr, err := Compile(net, RMSprop(), CategoricalCrossentropy(), Accuracy())
	if err != nil {
		t.Fatal(err)
	}
	images := tensor.New(tensor.WithShape(20, 2, 2, 1), tensor.WithBacking(x.Data()))
	draw := func(seed uint64) uint64 {
		if _, err := tr.Fit(images, y, Epochs(1), BatchSize(8), Seed(seed), Verbose(0)); err != nil {
			t.Fatal(err)
		}
		return net.modes[0].Rand.Uint64()
	}
	a, b, c := draw(5), draw(5), draw(6)
	if a != b || a == c {
		t.Errorf("draws after Fit with seeds 5, 5, 6: %x %x %x; want the first two equal and the third different", a, b, c)
	}
	if _, _, err := tr.Evaluate(images, y, Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Predict(images, Verbose(0)); err != nil {
		t.Fatal(err)
	}
	var train, other int
	for _, m := range net.modes {
		if m.Training {
			train++
		} else {
			other++
		}
		if m.Rand != net.modes[0].Rand {
			t.Error("graphs were given different generators")
		}
	}
	// Fit builds graphs for batches of 8 and 4; Evaluate for 20 rows in
	// batches of 32, Predict likewise: four graphs, two of them training.
	if train != 2 || other != 2 {
		t.Errorf("%d training graphs and %d others, want 2 and 2", train, other)
	}
}
