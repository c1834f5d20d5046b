// Command tensors walks through section 2.2 of the lesson: what a tensor
// is, shown on the MNIST images. It prints the training images' rank,
// shape and type, draws one digit, slices a batch out, and lists tensors
// of rank 0 to 4 with their attributes. Shapes print as numpy prints them.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gokeras/gokeras/mnist"
	"gorgonia.org/tensor"
)

func main() {
	dir := flag.String("data", "", "directory holding the four MNIST files (default: search as mnist.Load does)")
	digit := flag.Int("digit", 4, "index of the training image to draw")
	flag.Parse()
	if err := run(os.Stdout, *dir, *digit); err != nil {
		fmt.Fprintln(os.Stderr, "tensors:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, dir string, digit int) error {
	data, err := mnist.Load(mnist.Dir(dir))
	if err != nil {
		return err
	}
	images, labels := data.TrainImages, data.TrainLabels

	fmt.Fprintln(w, "The training images are one 3D tensor:")
	describe(w, "train_images", images)
	describe(w, "train_labels", labels)
	describe(w, "test_images", data.TestImages)

	n := images.Shape()[0]
	if digit < 0 || digit >= n {
		return fmt.Errorf("-digit %d is not an image index in [0, %d)", digit, n)
	}
	fmt.Fprintf(w, "\nImage %d, labelled %d (train_images[%d], a 2D tensor %s):\n",
		digit, labels.Data().([]uint8)[digit], digit, pyShape(images.Shape()[1:]))
	draw(w, images, digit)

	batch, err := images.Slice(tensor.S(10, 100))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nA slice: train_images[10:100] has shape %s\n", pyShape(batch.Shape()))
	corner, err := images.Slice(nil, tensor.S(14, 28), tensor.S(14, 28))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Bottom-right corners: train_images[:, 14:, 14:] has shape %s\n", pyShape(corner.Shape()))

	fmt.Fprintln(w, "\nThe first axis is the batch axis: a model sees the data in batches.")
	for _, b := range []int{0, 1} {
		s, err := images.Slice(tensor.S(128*b, 128*(b+1)))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "batch %d = train_images[%d:%d] has shape %s\n", b, 128*b, 128*(b+1), pyShape(s.Shape()))
	}
	last := n / 128 * 128
	s, err := images.Slice(tensor.S(last, n))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "the last batch, train_images[%d:%d], has shape %s: Fit trains on it too\n", last, n, pyShape(s.Shape()))

	fmt.Fprintln(w, "\nTensors of rank 0 to 4:")
	for _, ex := range ranks() {
		fmt.Fprintf(w, "%-8s ", ex.name)
		describe(w, "", ex.t)
	}
	return nil
}

// describe prints a tensor's rank, shape and element type.
func describe(w io.Writer, name string, t *tensor.Dense) {
	if name != "" {
		name += ": "
	}
	fmt.Fprintf(w, "%sndim %d, shape %s, dtype %v\n", name, t.Dims(), pyShape(t.Shape()), t.Dtype())
}

// pyShape formats a shape as numpy does: (), (60000,), (60000, 28, 28).
func pyShape(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// draw prints image i of a (N, H, W) uint8 tensor, two characters a pixel.
func draw(w io.Writer, images *tensor.Dense, i int) {
	h, wd := images.Shape()[1], images.Shape()[2]
	px := images.Data().([]uint8)[i*h*wd : (i+1)*h*wd]
	shades := []string{"  ", "..", "::", "##"}
	for r := 0; r < h; r++ {
		var b strings.Builder
		for c := 0; c < wd; c++ {
			b.WriteString(shades[int(px[r*wd+c])*len(shades)/256])
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

type example struct {
	name string
	t    *tensor.Dense
}

// ranks returns the lesson's tensors of rank 0 to 4.
func ranks() []example {
	return []example{
		{"scalar", tensor.New(tensor.FromScalar(12.0))},
		{"vector", tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{12, 3, 6, 14, 7}))},
		{"matrix", tensor.New(tensor.WithShape(3, 5), tensor.WithBacking([]float64{
			5, 78, 2, 34, 0,
			6, 79, 3, 35, 1,
			7, 80, 4, 36, 2}))},
		{"3D", tensor.New(tensor.WithShape(3, 3, 5), tensor.Of(tensor.Float64))},
		{"4D", tensor.New(tensor.WithShape(128, 28, 28, 1), tensor.Of(tensor.Float32))},
	}
}
