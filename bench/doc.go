// Package bench is gokeras's benchmark suite. Its only code is the
// networks the benchmarks time (MLP, Convnet, Residual), which
// bench/onnxrt shares: run it with
//
//	go test -bench . -benchmem ./bench/
//
// BenchmarkTrainStep times one training step (forward, backward, RMSprop
// update) of the lesson's 784-512-10 network at several batch sizes;
// BenchmarkEpoch one full epoch over the 60,000 MNIST training images at
// batch 128 (469 steps). Every benchmark uses a fixed seed.
package bench
