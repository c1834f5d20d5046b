// Package nn is gokeras's Keras-style model API: layers (Dense, Conv2D,
// MaxPooling2D, Flatten, Dropout) and the Sequential model with Build,
// Summary, Compile, Fit, Evaluate and Predict, and Save, Load,
// SaveWeights, LoadWeights and Checkpoint, which keep a model in an .npz
// file numpy opens (weights under their Keras names, the architecture as
// JSON, the optimizer's state). The Keras methods are thin wrappers over
// package train, and every layer is a few nodes of a Gorgonia graph built
// by package graph.
//
// A model is described first and built later: NewSequential never fails,
// and a mistake in the description (no input shape on the first layer,
// units ≤ 0) is reported by Build or Compile as an error naming the layer.
package nn
