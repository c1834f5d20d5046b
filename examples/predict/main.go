// Command predict classifies images of single handwritten digits with a
// model saved by examples/mnist or examples/convnet (-save):
//
//	go run ./examples/mnist -save model.npz
//	go run ./examples/predict -model model.npz digit.png another.jpg
//
// -model may also be an ONNX model ending in a softmax (onnx.Save's, or
// a PyTorch classifier exported with torch.onnx.export); the file's
// first bytes tell the format, not its name.
//
// Each image (PNG, JPEG or GIF) is made into an MNIST sample as MNIST's
// digits were made (see mnist.DecodeDigit): made grey, inverted if the
// digit is dark on a light background, cropped to the digit, scaled into
// a 20×20 box keeping its aspect ratio and centred by mass in 28×28. For
// each it prints the three most probable classes:
//
//	digit.png: 7 (99.21%)  2 (0.55%)  3 (0.11%)
//
// A file that cannot be read or is not an image of a digit (not an
// image, empty, too large, blank) is reported on standard error, naming
// the file, and the others are still classified; the exit status is then
// 1 (2 for bad flags or a model that cannot be loaded).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gokeras/gokeras/examples/internal/digits"
	"github.com/gokeras/gokeras/mnist"
	"github.com/pkg/errors"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command with its arguments and outputs; it returns the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "the saved model: an .npz from examples/mnist or examples/convnet -save, or an ONNX model ending in a softmax (onnx.Save, torch.onnx.export)")
	top := fs.Int("top", 3, "how many classes to print for each image")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: predict -model PATH IMAGE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *model == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	c, err := digits.Load(*model, *top)
	if err != nil {
		fmt.Fprintln(stderr, "predict:", err)
		return 2
	}
	status := 0
	var names []string
	var rows [][]float32
	for _, name := range fs.Args() {
		row, err := readDigit(name)
		if err != nil {
			fmt.Fprintln(stderr, "predict:", err)
			status = 1
			continue
		}
		names = append(names, name)
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return status
	}
	answers, err := c.Classify(context.Background(), rows)
	if err != nil {
		fmt.Fprintln(stderr, "predict:", err)
		return 1
	}
	for i, a := range answers {
		var b strings.Builder
		for j, t := range a.Top {
			if j > 0 {
				b.WriteString("  ")
			}
			fmt.Fprintf(&b, "%d (%.2f%%)", t.Class, 100*t.Probability)
		}
		fmt.Fprintf(stdout, "%s: %s\n", names[i], b.String())
	}
	return status
}

// readDigit reads the image file at name as an MNIST sample.
func readDigit(name string) ([]float32, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.Errorf("%s: a directory, not an image", name)
	}
	row, err := mnist.DecodeDigit(f)
	return row, errors.Wrap(err, name)
}
