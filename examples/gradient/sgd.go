package main

import (
	"fmt"
	"io"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// fitLine fits y = a·x + b to 1,000 noisy samples of y = 3x − 2 with
// mini-batch SGD and returns the History and the learned a and b.
func fitLine(epochs int) (*train.History, float32, float32, error) {
	const n = 1000
	rng := graph.NewRand(7)
	xs, ys := make([]float32, n), make([]float32, n)
	for i := range xs {
		xs[i] = float32(rng.Float64()*4 - 2)
		ys[i] = 3*xs[i] - 2 + float32(rng.NormFloat64()*0.1)
	}
	layer := nn.Dense(1, nn.Linear, nn.InputShape(1))
	model := nn.NewSequential(layer)
	if err := model.Build(1); err != nil {
		return nil, 0, 0, err
	}
	opt := train.SGD()
	opt.LearningRate = 0.05
	if err := model.Compile(opt, train.MeanSquaredError()); err != nil {
		return nil, 0, 0, err
	}
	h, err := model.Fit(tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys)),
		train.Epochs(epochs), train.BatchSize(32), train.Seed(1), train.Verbose(0))
	if err != nil {
		return nil, 0, 0, err
	}
	return h, layer.Kernel().Float32s()[0], layer.Bias().Float32s()[0], nil
}

func linearSGD(w io.Writer) error {
	h, a, b, err := fitLine(8)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "epoch   mean squared error (32 samples a step, 32 steps an epoch)")
	for i, l := range h.Values["loss"] {
		fmt.Fprintf(w, "%5d   %.6f\n", i+1, l)
	}
	fmt.Fprintf(w, "learned y = %.4f·x %+.4f (the data came from y = 3x − 2 plus noise of σ 0.1)\n", a, b)
	return nil
}
