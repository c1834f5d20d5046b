package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"

	"github.com/gokeras/gokeras/train"
	"github.com/gokeras/gokeras/train/plots"
	"gorgonia.org/tensor"
)

// pngSize returns the size of the PNG in b.
func pngSize(b []byte) string {
	c, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	return fmt.Sprintf("%d×%d", c.Width, c.Height)
}

// A History as Fit returns it, drawn: a loss panel and an accuracy
// panel, each with the training and validation curves.
func ExampleWriteHistory() {
	h := &train.History{
		Epochs: []int{0, 1, 2},
		Values: map[string][]float64{
			"loss":         {0.27, 0.11, 0.07},
			"accuracy":     {0.92, 0.97, 0.98},
			"val_loss":     {0.13, 0.095, 0.082},
			"val_accuracy": {0.96, 0.971, 0.975},
		},
		Names: []string{"loss", "accuracy", "val_loss", "val_accuracy"},
	}
	var buf bytes.Buffer
	if err := plots.WriteHistory(&buf, h, 900, 400); err != nil {
		log.Fatal(err)
	}
	fmt.Println(pngSize(buf.Bytes()))
	// err = plots.SaveHistory("history.png", h) writes it at 1200×500.

	// Output:
	// 900×400
}

// A confusion matrix of 6 samples of 3 classes drawn as a heat map.
func ExampleWriteConfusion() {
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
	var buf bytes.Buffer
	if err := plots.WriteConfusion(&buf, m, 400, 350); err != nil {
		log.Fatal(err)
	}
	fmt.Println(pngSize(buf.Bytes()))
	// err = plots.SaveConfusion("confusion.png", m) writes it at 800×700.

	// Output:
	// 400×350
}

// The wrong answers FindMistakes picks, drawn as a grid: 2 images of
// 2×2 pixels, each scaled up 56 times in a cell of 136×160 pixels.
func ExampleWriteMistakes() {
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
	var buf bytes.Buffer
	if err := plots.WriteMistakes(&buf, ms); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ms), "mistakes:", pngSize(buf.Bytes()))
	// err = plots.SaveMistakes("mistakes.png", ms) writes it to a file.

	// Output:
	// 2 mistakes: 272×160
}
