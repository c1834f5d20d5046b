// Package nn is gokeras's Keras-style model API: layers (Dense) and the
// Sequential model with Build, Summary, Compile, Fit, Evaluate and
// Predict. The Keras methods are thin wrappers over package train, and
// every layer is a few nodes of a Gorgonia graph built by package graph.
//
// A model is described first and built later: NewSequential never fails,
// and a mistake in the description (no input shape on the first layer,
// units ≤ 0) is reported by Build or Compile as an error naming the layer.
package nn
