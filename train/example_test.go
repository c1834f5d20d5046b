package train_test

import (
	"fmt"
	"log"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

func ExampleToCategorical() {
	labels := tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{5, 0, 4}))
	y, err := train.ToCategorical(labels, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Shape(), y.Data())
	// Output: (3, 10) [0 0 0 0 0 1 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0]
}

// Optimizers are configured through their fields before Compile.
func ExampleRMSprop() {
	opt := train.RMSprop()
	fmt.Println(opt.LearningRate, opt.Rho, opt.Momentum, opt.Epsilon)
	opt.LearningRate = 0.01
	fmt.Println(opt.Name(), opt.LearningRate)
	// Output:
	// 0.001 0.9 0 1e-07
	// rmsprop 0.01
}

// Top reads a classifier's answer: here one row of Predict's output.
func ExampleTop() {
	row := []float32{0.01, 0.02, 0.90, 0.01, 0.00, 0.01, 0.00, 0.04, 0.01, 0.00}
	top, err := train.Top(row, 3)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range top {
		fmt.Printf("%d %.2f\n", c.Class, c.Probability)
	}
	// Output:
	// 2 0.90
	// 7 0.04
	// 1 0.02
}

// Binary accuracy scores each output against its 0 or 1 target, the
// prediction counting as 1 above 0.5.
func ExampleBinaryAccuracy() {
	pred := []float32{0.8, 0.3, 0.6, 0.4} // two rows of two outputs
	target := []float32{1, 0, 0, 0}       // the second row's first is wrong
	sum := train.BinaryAccuracy().Sum(pred, target, 2, 2)
	fmt.Println(sum / 2) // the mean over the rows
	// Output: 0.75
}
