package nn_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// The lesson's network, described, built from a seed and summarised.
func ExampleSequential_Summary() {
	model := nn.NewSequential(
		nn.Dense(512, nn.ReLU, nn.InputShape(28*28)),
		nn.Dense(10, nn.Softmax),
	)
	if err := model.Build(1); err != nil {
		log.Fatal(err)
	}
	// Keras pads each row to 65 columns; the trailing spaces are trimmed
	// here only because an Output comment cannot hold them.
	for _, line := range strings.Split(strings.TrimSpace(model.Summary()), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	// Layer (type)                 Output Shape              Param #
	// =================================================================
	// dense (Dense)                (None, 512)               401920
	// _________________________________________________________________
	// dense_1 (Dense)              (None, 10)                5130
	// =================================================================
	// Total params: 407,050
	// Trainable params: 407,050
	// Non-trainable params: 0
	// _________________________________________________________________
}

// The whole workflow on a toy problem: learn XOR with a small network.
func ExampleSequential_Fit() {
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 0, 1, 1, 0, 1, 1}))
	labels := tensor.New(tensor.WithShape(4), tensor.WithBacking([]uint8{0, 1, 1, 0}))

	model := nn.NewSequential(
		nn.Dense(16, nn.Tanh, nn.InputShape(2)),
		nn.Dense(2, nn.Softmax),
	)
	if err := model.Build(3); err != nil {
		log.Fatal(err)
	}
	opt := train.Adam()
	opt.LearningRate = 0.05
	if err := model.Compile(opt, train.SparseCategoricalCrossentropy(), train.Accuracy()); err != nil {
		log.Fatal(err)
	}
	if _, err := model.Fit(x, labels, train.Epochs(200), train.BatchSize(4), train.Verbose(0)); err != nil {
		log.Fatal(err)
	}
	_, metrics, err := model.Evaluate(x, labels, train.Verbose(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accuracy:", metrics[0])
	// Output: accuracy: 1
}

// The functional API: a small residual block on 8×8 images, its input
// added back to the output of two convolutions, then a classifier.
func ExampleNewModel() {
	in := nn.Input(8, 8, 4)
	x := nn.Conv2D(4, [2]int{3, 3}, nn.ReLU, nn.Padding("same")).Call(in)
	x = nn.Conv2D(4, [2]int{3, 3}, nn.Linear, nn.Padding("same")).Call(x)
	x = nn.BatchNormalization().Call(x)
	x = nn.Activate(nn.ReLU).Call(nn.Add().Call(in, x))
	out := nn.Dense(3, nn.Softmax).Call(nn.GlobalAveragePooling2D().Call(x))
	model, err := nn.NewModel([]*nn.Tensor{in}, []*nn.Tensor{out})
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Build(1); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(model.Summary()), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Model: "model"
	// __________________________________________________________________________________________________
	// Layer (type)                    Output Shape         Param #     Connected to
	// ==================================================================================================
	// input_1 (InputLayer)            (None, 8, 8, 4)      0
	// __________________________________________________________________________________________________
	// conv2d (Conv2D)                 (None, 8, 8, 4)      148         input_1[0][0]
	// __________________________________________________________________________________________________
	// conv2d_1 (Conv2D)               (None, 8, 8, 4)      148         conv2d[0][0]
	// __________________________________________________________________________________________________
	// batch_normalization (BatchNorma (None, 8, 8, 4)      16          conv2d_1[0][0]
	// __________________________________________________________________________________________________
	// add (Add)                       (None, 8, 8, 4)      0           input_1[0][0]
	//                                                                  batch_normalization[0][0]
	// __________________________________________________________________________________________________
	// activation (Activation)         (None, 8, 8, 4)      0           add[0][0]
	// __________________________________________________________________________________________________
	// global_average_pooling2d (Globa (None, 4)            0           activation[0][0]
	// __________________________________________________________________________________________________
	// dense (Dense)                   (None, 3)            15          global_average_pooling2d[0][0]
	// ==================================================================================================
	// Total params: 327
	// Trainable params: 319
	// Non-trainable params: 8
	// __________________________________________________________________________________________________
}
