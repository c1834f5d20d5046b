package mnist

import (
	"runtime"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Flatten applies the Keras example's preprocessing to a batch of images:
// (N, H, W) uint8 becomes (N, H·W) float32 with every pixel divided by
// 255, so values lie in [0, 1]. It returns an error for any other rank or
// element type.
func Flatten(images *tensor.Dense) (*tensor.Dense, error) {
	return scaled("mnist.Flatten", images, func(n, h, w int) []int { return []int{n, h * w} })
}

// Images applies a convnet's preprocessing to a batch of images: (N, H,
// W) uint8 becomes (N, H, W, 1) float32 images of one channel, Keras's
// channels-last layout, with every pixel divided by 255. It returns an
// error for any other rank or element type.
func Images(images *tensor.Dense) (*tensor.Dense, error) {
	return scaled("mnist.Images", images, func(n, h, w int) []int { return []int{n, h, w, 1} })
}

// unit[v] is v/255 in float32, looked up instead of divided: the same
// values, ten times faster over 47 million pixels.
var unit = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// scaled returns the pixels of (N, H, W) uint8 images divided by 255, as
// float32, in the shape that shape gives.
func scaled(what string, images *tensor.Dense, shape func(n, h, w int) []int) (*tensor.Dense, error) {
	if images == nil {
		return nil, errors.Errorf("%s: nil images", what)
	}
	s := images.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: want (N, height, width) images, got shape %v", what, s)
	}
	px, ok := images.Data().([]uint8)
	if !ok {
		return nil, errors.Errorf("%s: want uint8 pixels, got %v", what, images.Dtype())
	}
	out := make([]float32, len(px))
	for i, v := range px {
		out[i] = unit[v]
	}
	return tensor.New(tensor.WithShape(shape(s[0], s[1], s[2])...), tensor.WithBacking(out)), nil
}

// Convert turns both sets of images into what a model takes, with prep
// (Flatten or Images), and lets the bytes go: the training images are
// converted, dropped from d and collected before the test images are
// converted, so the test set's float32 values take the training bytes'
// place and the peak memory holds 47 MB less. Afterwards d.TrainImages and
// d.TestImages are nil. An error from prep is returned, naming the set.
func (d *Dataset) Convert(prep func(*tensor.Dense) (*tensor.Dense, error)) (xTrain, xTest *tensor.Dense, err error) {
	if xTrain, err = prep(d.TrainImages); err != nil {
		return nil, nil, errors.Wrap(err, "training images")
	}
	d.TrainImages = nil
	runtime.GC()
	if xTest, err = prep(d.TestImages); err != nil {
		return nil, nil, errors.Wrap(err, "test images")
	}
	d.TestImages = nil
	return xTrain, xTest, nil
}
