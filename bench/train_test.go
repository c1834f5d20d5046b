package bench

import (
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// lessonModel returns the compiled 784-512-10 network of the lesson,
// with the given hidden activation (the lesson's is ReLU).
func lessonModel(b *testing.B, hidden nn.Activation) *nn.Sequential {
	m := nn.NewSequential(nn.Dense(512, hidden, nn.InputShape(784)), nn.Dense(10, nn.Softmax))
	if err := m.Build(1); err != nil {
		b.Fatal(err)
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		b.Fatal(err)
	}
	return m
}

// mnistRows returns the first n MNIST training rows, preprocessed as in
// the lesson. Real pixels matter: about 80% are zero, and the matrix
// product skips zero inputs.
func mnistRows(b *testing.B, n int) (*tensor.Dense, *tensor.Dense) {
	data, err := mnist.Load()
	if err != nil {
		b.Fatal(err)
	}
	x, err := mnist.Flatten(data.TrainImages)
	if err != nil {
		b.Fatal(err)
	}
	y, err := train.ToCategorical(data.TrainLabels, 10)
	if err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		return x, y
	}
	return tensor.New(tensor.WithShape(n, 784), tensor.WithBacking(x.Data().([]float32)[:n*784])),
		tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(y.Data().([]float32)[:n*10]))
}

// BenchmarkTrainStep times one training step of the lesson's network: an
// epoch of a single batch, so each op is one forward pass, one backward
// pass and one RMSprop update (plus Fit's per-epoch bookkeeping).
func BenchmarkTrainStep(b *testing.B) {
	for _, batch := range []int{32, 128, 512} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { trainStep(b, nn.ReLU, batch) })
	}
}

// BenchmarkTrainStepActivations times the step of BenchmarkTrainStep at
// batch 128 with each hidden activation.
func BenchmarkTrainStepActivations(b *testing.B) {
	for _, a := range []nn.Activation{nn.ReLU, nn.Sigmoid, nn.Tanh} {
		b.Run(a.Name(), func(b *testing.B) { trainStep(b, a, 128) })
	}
}

// trainStep times training steps of the lesson's network on batch rows.
func trainStep(b *testing.B, hidden nn.Activation, batch int) {
	m := lessonModel(b, hidden)
	x, y := mnistRows(b, batch)
	opts := []train.Option{train.BatchSize(batch), train.Verbose(0), train.Shuffle(false)}
	if _, err := m.Fit(x, y, opts...); err != nil { // builds the graph
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := m.Fit(x, y, append(opts, train.Epochs(b.N))...); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkEpoch times one epoch over the MNIST training set at batch 128.
func BenchmarkEpoch(b *testing.B) {
	x, y := mnistRows(b, 0)
	m := lessonModel(b, nn.ReLU)
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := m.Fit(x, y, train.Epochs(b.N), train.BatchSize(128), train.Seed(1), train.Verbose(0)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkConvnetTrainStep times one training step of Chollet's convnet
// on MNIST images at batch 64 (the example's) and 128.
func BenchmarkConvnetTrainStep(b *testing.B) {
	benchmarkImageTrainStep(b, Convnet, func() train.Optimizer { return train.RMSprop() })
}

// benchmarkImageTrainStep times one training step of the network model
// makes, compiled with an optimizer from opt and categorical cross-entropy, on MNIST images
// at batches of 64 and 128.
func benchmarkImageTrainStep(b *testing.B, model func() (*nn.Model, error), opt func() train.Optimizer) {
	for _, batch := range []int{64, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			m, err := model()
			if err != nil {
				b.Fatal(err)
			}
			if err := m.Build(1); err != nil {
				b.Fatal(err)
			}
			if err := m.Compile(opt(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
				b.Fatal(err)
			}
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
