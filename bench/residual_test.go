package bench

import (
	"testing"

	"github.com/gokeras/gokeras/train"
)

// BenchmarkResidualTrainStep times one training step of examples/fashion's
// residual network (on MNIST images: the same shapes) at batch 128, the
// example's, and 64.
func BenchmarkResidualTrainStep(b *testing.B) {
	benchmarkImageTrainStep(b, Residual, func() train.Optimizer { return train.Adam() })
}
