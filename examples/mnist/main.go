// Command mnist trains the Keras MNIST example in Go: 784 inputs →
// Dense(512, relu) → Dense(10, softmax), RMSprop, categorical
// cross-entropy, 5 epochs of batches of 128, then prints the test
// accuracy (about 0.98).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
)

func main() {
	epochs := flag.Int("epochs", 5, "passes over the training set")
	batch := flag.Int("batch", 128, "rows per training step")
	seed := flag.Uint64("seed", 1, "seed for the initial weights and the shuffling")
	dir := flag.String("data", "", "directory holding the four MNIST files (default: search as mnist.Load does)")
	verbose := flag.Int("verbose", 1, "0 silent, 1 progress bar, 2 one line per epoch")
	flag.Parse()
	if err := run(*epochs, *batch, *seed, *dir, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

func run(epochs, batch int, seed uint64, dir string, verbose int) error {
	data, err := mnist.Load(mnist.Dir(dir))
	if err != nil {
		return err
	}
	// The float32 rows are all the model needs. The training bytes are let
	// go, and collected, before the test rows are made, so that the test
	// rows take their place: this keeps the peak memory 47 MB lower.
	xTrain, err := mnist.Flatten(data.TrainImages)
	if err != nil {
		return err
	}
	data.TrainImages = nil
	runtime.GC()
	xTest, err := mnist.Flatten(data.TestImages)
	if err != nil {
		return err
	}
	data.TestImages = nil
	yTrain, err := train.ToCategorical(data.TrainLabels, 10)
	if err != nil {
		return err
	}
	yTest, err := train.ToCategorical(data.TestLabels, 10)
	if err != nil {
		return err
	}

	model := nn.NewSequential(
		nn.Dense(512, nn.ReLU, nn.InputShape(28*28)),
		nn.Dense(10, nn.Softmax),
	)
	if err := model.Build(seed); err != nil {
		return err
	}
	if verbose > 0 {
		fmt.Print(model.Summary())
	}
	if err := model.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		return err
	}
	if _, err := model.Fit(xTrain, yTrain, train.Epochs(epochs), train.BatchSize(batch),
		train.Seed(seed), train.Verbose(verbose)); err != nil {
		return err
	}
	evalVerbose := min(verbose, 1)
	_, metrics, err := model.Evaluate(xTest, yTest, train.Verbose(evalVerbose))
	if err != nil {
		return err
	}
	fmt.Printf("Test accuracy: %.4f\n", metrics[0])
	return nil
}
