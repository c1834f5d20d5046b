// Command convnet trains the first convnet of Chollet's "Deep Learning
// with Python" on MNIST, the lesson's next network: Conv2D(32, 3×3, relu)
// → MaxPooling2D(2×2) → Conv2D(64, 3×3, relu) → MaxPooling2D(2×2) →
// Conv2D(64, 3×3, relu) → Flatten → Dense(64, relu) → Dense(10, softmax),
// RMSprop, categorical cross-entropy, 5 epochs of batches of 64, then
// prints the test accuracy (above 0.99). With -save PATH it writes the
// trained model to PATH, which examples/predict and examples/serve take.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
)

func main() {
	epochs := flag.Int("epochs", 5, "passes over the training set")
	batch := flag.Int("batch", 64, "images per training step")
	seed := flag.Uint64("seed", 1, "seed for the initial weights and the shuffling")
	dir := flag.String("data", "", "directory holding the four MNIST files (default: search as mnist.Load does)")
	verbose := flag.Int("verbose", 1, "0 silent, 1 progress bar, 2 one line per epoch")
	save := flag.String("save", "", "write the trained model to this .npz file (atomically), for examples/predict and examples/serve")
	flag.Parse()
	if err := run(*epochs, *batch, *seed, *dir, *verbose, *save); err != nil {
		fmt.Fprintln(os.Stderr, "convnet:", err)
		os.Exit(1)
	}
}

// convnet returns Chollet's network, described.
func convnet() *nn.Sequential {
	return nn.NewSequential(
		nn.Conv2D(32, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.Flatten(),
		nn.Dense(64, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	)
}

func run(epochs, batch int, seed uint64, dir string, verbose int, save string) error {
	data, err := mnist.Load(mnist.Dir(dir))
	if err != nil {
		return err
	}
	xTrain, xTest, err := data.Convert(mnist.Images)
	if err != nil {
		return err
	}
	yTrain, err := train.ToCategorical(data.TrainLabels, 10)
	if err != nil {
		return err
	}
	yTest, err := train.ToCategorical(data.TestLabels, 10)
	if err != nil {
		return err
	}

	model := convnet()
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
	if save != "" {
		if err := model.Save(save); err != nil {
			return err
		}
		fmt.Printf("Saved the model to %s\n", save)
	}
	_, metrics, err := model.Evaluate(xTest, yTest, train.Verbose(min(verbose, 1)))
	if err != nil {
		return err
	}
	fmt.Printf("Test accuracy: %.4f\n", metrics[0])
	return nil
}
