// Package digits classifies MNIST samples with a saved model: the part
// that examples/predict and examples/serve share. It loads a model saved
// by nn.Sequential.Save (the MLP of examples/mnist or the convnet of
// examples/convnet) or an ONNX model (one written by onnx.Save, or by
// PyTorch's torch.onnx.export), checks it takes 28×28 digits and gives 10
// classes, and answers for rows of 784 values (images become rows with
// mnist.DecodeDigit) with the most probable classes.
package digits

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"slices"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Pixels is the number of values in one MNIST sample (28×28).
const Pixels = 28 * 28

// Classes is the number of classes a digit classifier answers with.
const Classes = 10

// Answer is a classifier's answer for one image or row: its top classes
// and the probability of every class.
type Answer struct {
	Top           []train.Class `json:"top"`
	Probabilities []float32     `json:"probabilities"`
}

// Classifier answers for MNIST samples with a model. Its methods may be
// called from many goroutines at once: the model's Trainer serialises
// the predictions.
type Classifier struct {
	model *nn.Model
	shape []int // one sample's shape, as the model takes it
	top   int
}

// Load loads the model saved at path and checks it takes 784 values (as
// (784), (28, 28, 1) or, from PyTorch, (1, 28, 28)) and gives 10
// probabilities; answers carry the top k classes. The file's first bytes
// tell its format, whatever its name: a zip is gokeras's .npz (nn.Load),
// anything else is read as ONNX (onnx.Load), which must end in a softmax.
func Load(path string, k int) (*Classifier, error) {
	m, err := load(path)
	if err != nil {
		return nil, err
	}
	c, err := New(m, k)
	return c, errors.Wrapf(err, "model %s", path)
}

// load reads a .npz or an ONNX model, compiled.
func load(path string) (*nn.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	head := make([]byte, 4)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, errors.Wrapf(err, "load %s", path)
	}
	if bytes.Equal(head, []byte("PK\x03\x04")) {
		return nn.Load(path)
	}
	m, err := onnx.Load(path)
	if err != nil {
		return nil, err
	}
	if !endsInSoftmax(m) {
		return nil, errors.Errorf("model %s: its output is not a softmax, so not class probabilities (export the model with a softmax at the end)", path)
	}
	// Compiled for Predict alone: the optimizer and loss are never used.
	if err := m.Compile(train.SGD(), train.CategoricalCrossentropy()); err != nil {
		return nil, err
	}
	return m, nil
}

// endsInSoftmax reports whether m's first output is a softmax.
func endsInSoftmax(m *nn.Model) bool {
	switch l := m.Outputs()[0].Layer().(type) {
	case *nn.DenseLayer:
		return l.Activation().Name() == nn.Softmax.Name()
	case *nn.ActivationLayer:
		return l.Activation().Name() == nn.Softmax.Name()
	}
	return false
}

// New wraps a model, which must be compiled (Load compiles a saved
// model) and take 784 values and give 10.
func New(m *nn.Model, k int) (*Classifier, error) {
	in, out := m.InputShape(), m.OutputShape()
	size := 1
	for _, d := range in {
		size *= d
	}
	switch {
	case in == nil || size != Pixels:
		return nil, errors.Errorf("the model takes samples of shape %v, not 28×28 images", in)
	case !slices.Equal(out, []int{Classes}):
		return nil, errors.Errorf("the model gives outputs of shape %v, not %d class probabilities", out, Classes)
	case !m.Compiled():
		return nil, errors.New("the model is not compiled")
	case k < 1:
		return nil, errors.Errorf("top %d classes: want at least 1", k)
	}
	return &Classifier{model: m, shape: in, top: min(k, Classes)}, nil
}

// Classify answers for each row of 784 values. A row of another length,
// or with a value that is not finite, is an error naming the row.
func (c *Classifier) Classify(ctx context.Context, rows [][]float32) ([]Answer, error) {
	if len(rows) == 0 {
		return nil, errors.New("no rows")
	}
	x := make([]float32, 0, len(rows)*Pixels)
	for i, r := range rows {
		if len(r) != Pixels {
			return nil, errors.Errorf("row %d has %d values; want %d (28×28)", i, len(r), Pixels)
		}
		for j, v := range r {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, errors.Errorf("row %d: value %d is %v", i, j, v)
			}
		}
		x = append(x, r...)
	}
	shape := append([]int{len(rows)}, c.shape...)
	p, err := c.model.PredictContext(ctx, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x)), train.Verbose(0))
	if err != nil {
		return nil, err
	}
	probs := p.Data().([]float32)
	answers := make([]Answer, len(rows))
	for i := range answers {
		row := slices.Clone(probs[i*Classes : (i+1)*Classes])
		top, err := train.Top(row, c.top)
		if err != nil {
			return nil, errors.Wrapf(err, "row %d", i)
		}
		answers[i] = Answer{Top: top, Probabilities: row}
	}
	return answers, nil
}
