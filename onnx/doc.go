// Package onnx moves gokeras models to and from ONNX, the exchange format
// of ONNX Runtime, PyTorch and most other frameworks.
//
// Save, Export and Marshal write a built nn.Model as an ONNX model of
// opset 13: its inference graph with the weights as initializers, inputs
// and outputs named and shaped as the model's (channels-last images, as
// Predict takes them; the graph transposes to ONNX's channels-first
// convolutions and back only where a layer needs it). A layer with no
// ONNX form (one written outside nn) is an error naming it.
//
// The protobuf messages are generated from onnx.proto (ONNX 1.12, as
// Debian's python3-onnx ships it) by protoc-gen-go, in internal/pb; see
// internal/pb/generate.sh.
package onnx
