package bench

import (
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// residualModel returns examples/fashion's network, compiled: a stem
// convolution, two residual blocks with batch normalisation (32 channels
// at 14×14, 64 at 7×7), global average pooling and a softmax.
func residualModel(b *testing.B) *nn.Model {
	convBN := func(x *nn.Tensor, filters int, opts ...nn.Option) *nn.Tensor {
		opts = append([]nn.Option{nn.Padding("same")}, opts...)
		return nn.BatchNormalization().Call(nn.Conv2D(filters, [2]int{3, 3}, nn.Linear, opts...).Call(x))
	}
	relu := func(x *nn.Tensor) *nn.Tensor { return nn.Activate(nn.ReLU).Call(x) }
	block := func(x *nn.Tensor) *nn.Tensor {
		y := convBN(relu(convBN(x, x.Shape()[2])), x.Shape()[2])
		return relu(nn.Add().Call(x, y))
	}
	in := nn.Input(28, 28, 1)
	x := nn.MaxPooling2D([2]int{2, 2}).Call(relu(convBN(in, 32)))
	x = block(relu(convBN(block(x), 64, nn.Strides(2, 2))))
	out := nn.Dense(10, nn.Softmax).Call(nn.GlobalAveragePooling2D().Call(x))
	m, err := nn.NewModel([]*nn.Tensor{in}, []*nn.Tensor{out})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Build(1); err != nil {
		b.Fatal(err)
	}
	if err := m.Compile(train.Adam(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkResidualTrainStep times one training step of examples/fashion's
// residual network (on MNIST images: the same shapes) at batch 128, the
// example's, and 64.
func BenchmarkResidualTrainStep(b *testing.B) {
	for _, batch := range []int{64, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			m := residualModel(b)
			x, y := mnistRows(b, batch)
			images := tensor.New(tensor.WithShape(batch, 28, 28, 1), tensor.WithBacking(x.Data()))
			opts := []train.Option{train.BatchSize(batch), train.Verbose(0), train.Shuffle(false)}
			if _, err := m.Fit(images, y, opts...); err != nil { // builds the graph
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := m.Fit(images, y, append(opts, train.Epochs(b.N))...); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
