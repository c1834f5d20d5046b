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
