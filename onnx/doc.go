// Package onnx moves gokeras models to and from ONNX, the exchange format
// of ONNX Runtime, PyTorch and most other frameworks.
//
// Save, Export and Marshal write a built nn.Model as an ONNX model of
// opset 13: its inference graph with the weights as initializers, inputs
// and outputs named and shaped as the model's (channels-last images, as
// Predict takes them; the graph transposes to ONNX's channels-first
// convolutions and back only where a layer needs it). A layer with no
// ONNX form (one written outside nn and this package) is an error naming
// it.
//
// Load, Import and Unmarshal read an ONNX model (from PyTorch's
// torch.onnx.export, from Save, ...) as a gokeras model made of nn's
// layers, built and holding the ONNX weights: compiled, it predicts,
// evaluates, fine-tunes with Fit and saves as .npz like any other model.
// It keeps the ONNX graph's inputs and outputs as they are ((N, C, H, W)
// images for a PyTorch convnet) and works channels-last inside. A
// constant added to, subtracted from or multiplied with a value becomes a
// ConstantOp layer, which this package registers: a program that loads
// such a model saved as .npz must import this package. What the import
// cannot express — an operator, attribute or opset it does not read — is
// an error naming the node.
//
// The protobuf messages are generated from onnx.proto (ONNX 1.12, as
// Debian's python3-onnx ships it) by protoc-gen-go, in internal/pb; see
// internal/pb/generate.sh.
package onnx
