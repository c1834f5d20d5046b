// Package nn is gokeras's Keras-style model API: layers, the functional
// API that wires them into a Model of any shape, the Sequential stack,
// and the Keras methods on a model: Build, Summary, Compile, Fit,
// Evaluate and Predict, and Save, Load, SaveWeights, LoadWeights and
// Checkpoint, which keep a model in an .npz file numpy opens (weights
// under their Keras names, the architecture as Keras 2's model config in
// JSON, the optimizer's state). The Keras methods are thin wrappers over
// package train, and every layer is a few nodes of a Gorgonia graph built
// by package graph.
//
// # Layers
//
// Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
// Flatten, Reshape, Dropout, Activation (Activate), BatchNormalization,
// and the merge layers Add, Multiply and Concatenate, with Keras's
// defaults, configs and weight names. A layer is anything that implements
// Layer over an embedded LayerBase; RegisterLayer makes a layer of one's
// own known to Load, so that it is built, summarised, saved and loaded as
// the built-in ones are (which are registered the same way).
//
// # Models
//
// Sequential stacks layers, each taking the previous one's output:
//
//	model := nn.NewSequential(
//		nn.Dense(512, nn.ReLU, nn.InputShape(784)),
//		nn.Dense(10, nn.Softmax),
//	)
//
// The functional API calls layers on symbolic tensors and makes a model
// of the graph between inputs and outputs, with several of each, shared
// layers (a layer called twice shares its weights) and merges:
//
//	in := nn.Input(28, 28, 1)
//	x := nn.Conv2D(32, [2]int{3, 3}, nn.Linear, nn.Padding("same")).Call(in)
//	x = nn.BatchNormalization().Call(x)
//	y := nn.Add().Call(x, nn.Activate(nn.ReLU).Call(x))
//	out := nn.Dense(10, nn.Softmax).Call(nn.GlobalAveragePooling2D().Call(y))
//	model, err := nn.NewModel([]*nn.Tensor{in}, []*nn.Tensor{out})
//
// A model is described first and built later: NewSequential and the layer
// constructors never fail, and a mistake in the description (no input
// shape on the first layer, units ≤ 0, a merge of tensors of different
// shapes) is reported by Build, Compile or NewModel as an error naming
// the layer. Adding a layer to a built or functional model is an error
// that leaves the model as it was.
package nn
