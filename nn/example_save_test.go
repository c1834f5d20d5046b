package nn_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// Train two epochs, save, load in a fresh model and go on training where
// it stopped. In numpy the file reads as
//
//	npz = numpy.load("xor.npz")
//	npz["dense/kernel"]                                  # (2, 16) float32
//	json.loads(bytes(npz["gokeras_model.json"]))["layers"]
func ExampleSequential_Save() {
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 0, 1, 1, 0, 1, 1}))
	labels := tensor.New(tensor.WithShape(4), tensor.WithBacking([]uint8{0, 1, 1, 0}))
	model := nn.NewSequential(nn.Dense(16, nn.Tanh, nn.InputShape(2)), nn.Dense(2, nn.Softmax))
	if err := model.Build(3); err != nil {
		log.Fatal(err)
	}
	if err := model.Compile(train.Adam(), train.SparseCategoricalCrossentropy(), train.Accuracy()); err != nil {
		log.Fatal(err)
	}
	if _, err := model.Fit(x, labels, train.Epochs(2), train.Verbose(0)); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "xor.npz")
	if err := model.Save(path); err != nil {
		log.Fatal(err)
	}

	loaded, err := nn.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs trained:", loaded.Epoch())
	h, err := loaded.Fit(x, labels, train.InitialEpoch(loaded.Epoch()), train.Epochs(5), train.Verbose(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs run now:", h.Epochs, "trained in all:", loaded.Epoch())
	// Output:
	// epochs trained: 2
	// epochs run now: [2 3 4] trained in all: 5
}
