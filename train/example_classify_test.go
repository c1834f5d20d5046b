package train_test

import (
	"fmt"
	"log"

	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// A confusion matrix of 6 samples of 3 classes: targets one-hot, as Fit
// takes them, and predictions as Predict returns them.
func ExampleConfusionMatrix() {
	y := tensor.New(tensor.WithShape(6, 3), tensor.WithBacking([]float32{
		1, 0, 0,
		1, 0, 0,
		0, 1, 0,
		0, 1, 0,
		0, 0, 1,
		0, 0, 1,
	}))
	predictions := tensor.New(tensor.WithShape(6, 3), tensor.WithBacking([]float32{
		0.8, 0.1, 0.1,
		0.7, 0.2, 0.1,
		0.3, 0.6, 0.1,
		0.1, 0.1, 0.8, // a 1 taken for a 2
		0.2, 0.1, 0.7,
		0.1, 0.2, 0.7,
	}))
	m, err := train.NewConfusionMatrix(y, predictions)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(m)
	fmt.Println(m.Accuracy())
	// err = plots.SaveConfusion("confusion.png", m) draws it as a heat map.

	// Output:
	// true\pred   0   1   2  total
	//         0   2   0   0      2
	//         1   0   1   1      2
	//         2   0   0   2      2
	//     total   2   1   3      6
	// accuracy 0.8333 (5 of 6)
	// 0.8333333333333334
}

// FindMistakes picks the wrong answers, the most confident first, with
// their images: here 4 samples of 2×2 pixels, two of them wrong.
func ExampleFindMistakes() {
	x := tensor.New(tensor.WithShape(4, 2, 2, 1), tensor.WithBacking([]float32{
		0, 1, 1, 0,
		1, 0, 0, 1,
		1, 1, 0, 0,
		0, 0, 1, 1,
	}))
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{
		1, 0,
		0, 1,
		1, 0,
		0, 1,
	}))
	predictions := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{
		0.9, 0.1,
		0.7, 0.3, // wrong
		0.2, 0.8, // wrong, more sure
		0.4, 0.6,
	}))
	ms, err := train.FindMistakes(x, y, predictions, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range ms {
		fmt.Printf("row %d: true %d, predicted %d (%.0f%%), image %v\n", m.Index, m.True, m.Predicted, 100*m.Probability, m.Image)
	}
	// err = plots.SaveMistakes("mistakes.png", ms) draws them.

	// Output:
	// row 2: true 0, predicted 1 (80%), image [1 1 0 0]
	// row 1: true 1, predicted 0 (70%), image [1 0 0 1]
}
