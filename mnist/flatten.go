package mnist

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Flatten applies the Keras example's preprocessing to a batch of images:
// (N, H, W) uint8 becomes (N, H·W) float32 with every pixel divided by
// 255, so values lie in [0, 1]. It returns an error for any other rank or
// element type.
func Flatten(images *tensor.Dense) (*tensor.Dense, error) {
	if images == nil {
		return nil, errors.New("mnist.Flatten: nil images")
	}
	s := images.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("mnist.Flatten: want (N, height, width) images, got shape %v", s)
	}
	px, ok := images.Data().([]uint8)
	if !ok {
		return nil, errors.Errorf("mnist.Flatten: want uint8 pixels, got %v", images.Dtype())
	}
	out := make([]float32, len(px))
	for i, v := range px {
		out[i] = float32(v) / 255
	}
	return tensor.New(tensor.WithShape(s[0], s[1]*s[2]), tensor.WithBacking(out)), nil
}
