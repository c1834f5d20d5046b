// Package graph holds the building blocks gokeras networks are made of, as
// Gorgonia expression-graph nodes: the dense layer (a matrix product plus a
// broadcast bias), the activations, numerically stable softmax and
// cross-entropy operations with their own symbolic gradients, the mean
// squared error, and the Glorot-uniform initialiser Keras uses.
//
// Every function takes and returns *gorgonia.Node, so the gradients of
// anything built here come from Gorgonia's symbolic differentiation
// (gorgonia.Grad) and run on a tape machine. Inputs are tensors of float32
// or float64 with the batch first, 2-D (batch, features) matrices for the
// dense layers. A function given nodes of the wrong rank, width or type
// returns an error that names what it got; none of them panics on user
// data.
//
// Besides Dense there are the layers of convolutional and residual
// networks, on channels-last data: Conv2D, MaxPool2D, AvgPool2D,
// GlobalAvgPool2D, BatchNorm (which, in training, updates its moving
// statistics in place at each run), Dropout, Flatten and Reshape (views
// sharing their input's memory), Add, Multiply and Concat. Every op writes
// into an output buffer it keeps from run to run, so a compiled graph
// allocates no tensors per run, and its results are the same bit for bit
// whatever the number of cores: reductions are split into fixed blocks
// added in a fixed order, or over independent outputs.
//
// Two traps in the engine are avoided on purpose: Gorgonia rewrites
// Log(SoftMax(x)) by turning the softmax node itself into a log-softmax
// (gorgonia issue 569), and tensor v0.9.24's SoftMax starts each row's
// maximum from the tensor's first element, which overflows to NaN for rows
// far below it. Softmax, LogSoftmax and the cross-entropies here are ops of
// this package that subtract each row's own maximum.
package graph
