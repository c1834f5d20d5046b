package bench

import "github.com/gokeras/gokeras/nn"

// The networks the benchmarks time, unbuilt; bench/onnxrt runs the same
// ones against ONNX Runtime.

// MLP returns the lesson's network: 784 → 512 ReLU → 10 softmax.
func MLP() (*nn.Model, error) {
	return nn.NewSequential(nn.Dense(512, nn.ReLU, nn.InputShape(784)), nn.Dense(10, nn.Softmax)), nil
}

// Convnet returns Chollet's MNIST convnet, as examples/convnet builds it.
func Convnet() (*nn.Model, error) {
	return nn.NewSequential(
		nn.Conv2D(32, [2]int{3, 3}, nn.ReLU, nn.InputShape(28, 28, 1)),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Conv2D(64, [2]int{3, 3}, nn.ReLU),
		nn.Flatten(),
		nn.Dense(64, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	), nil
}

// Residual returns examples/fashion's network: a stem convolution, two
// residual blocks with batch normalisation (32 channels at 14×14, 64 at
// 7×7), global average pooling and a softmax.
func Residual() (*nn.Model, error) {
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
	return nn.NewModel([]*nn.Tensor{in}, []*nn.Tensor{out})
}
