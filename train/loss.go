package train

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A Loss turns a network's output and the targets into a scalar to
// minimise.
type Loss interface {
	// Name is the Keras name, e.g. "categorical_crossentropy".
	Name() string
	// Targets validates y for a network of outWidth outputs and returns
	// the (rows, outWidth) float32 matrix fed to Build's target node.
	Targets(y *tensor.Dense, outWidth int) ([]float32, error)
	// Build returns the scalar mean loss of a batch, for the (batch,
	// width) output node and the target node of the same shape. When the
	// output is a softmax or a sigmoid, graph.Logits(out) gives its
	// input, from which a cross-entropy is computed stably.
	Build(out, target *G.Node) (*G.Node, error)
}

type categoricalCrossentropy struct{}

// CategoricalCrossentropy is Keras's categorical_crossentropy: targets are
// one-hot (or probability) rows of the output's width, the loss is
// −Σ y·log p averaged over the batch. When the network ends in a softmax
// it is computed from the logits with a stable log-softmax, as Keras's
// TensorFlow backend does; otherwise from the probabilities, normalised
// and clipped to [1e-7, 1−1e-7].
func CategoricalCrossentropy() Loss { return categoricalCrossentropy{} }

func (categoricalCrossentropy) Name() string { return "categorical_crossentropy" }

func (categoricalCrossentropy) Targets(y *tensor.Dense, width int) ([]float32, error) {
	return denseTargets(y, width)
}

func (categoricalCrossentropy) Build(out, target *G.Node) (*G.Node, error) {
	return crossentropy(out, target)
}

func crossentropy(out, target *G.Node) (*G.Node, error) {
	if logits := graph.Logits(out); logits != nil && graph.IsSoftmax(out) {
		return graph.CategoricalCrossentropyFromLogits(logits, target)
	}
	return graph.CategoricalCrossentropy(out, target)
}

func denseTargets(y *tensor.Dense, width int) ([]float32, error) {
	if _, err := rowsOf("y", y, width); err != nil {
		return nil, err
	}
	return floats("y", y, width)
}

type sparseCategoricalCrossentropy struct{}

// SparseCategoricalCrossentropy is Keras's sparse_categorical_crossentropy:
// the same loss as CategoricalCrossentropy, with targets given as class
// indices, shape (rows) or (rows, 1). An index that is negative, not an
// integer, or not below the number of classes is an error naming its row.
func SparseCategoricalCrossentropy() Loss { return sparseCategoricalCrossentropy{} }

func (sparseCategoricalCrossentropy) Name() string { return "sparse_categorical_crossentropy" }

func (sparseCategoricalCrossentropy) Targets(y *tensor.Dense, width int) ([]float32, error) {
	if _, err := rowsOf("y", y, 1); err != nil {
		return nil, errors.Wrap(err, "sparse labels")
	}
	labels, err := floats("y", y, 1)
	if err != nil {
		return nil, err
	}
	return oneHot(labels, width)
}

func (sparseCategoricalCrossentropy) Build(out, target *G.Node) (*G.Node, error) {
	return crossentropy(out, target)
}

// oneHot turns class indices into one-hot rows of the given width.
func oneHot(labels []float32, classes int) ([]float32, error) {
	out := make([]float32, len(labels)*classes)
	for i, l := range labels {
		if l < 0 || l >= float32(classes) || l != float32(math.Trunc(float64(l))) {
			return nil, errors.Errorf("label %v at row %d is not a class index in [0, %d)", l, i, classes)
		}
		out[i*classes+int(l)] = 1
	}
	return out, nil
}

type meanSquaredError struct{}

// MeanSquaredError is Keras's mean_squared_error: the mean of (p − y)²
// over the last axis, then over the batch.
func MeanSquaredError() Loss { return meanSquaredError{} }

func (meanSquaredError) Name() string { return "mean_squared_error" }

func (meanSquaredError) Targets(y *tensor.Dense, width int) ([]float32, error) {
	return denseTargets(y, width)
}

func (meanSquaredError) Build(out, target *G.Node) (*G.Node, error) {
	return graph.MeanSquaredError(out, target)
}

type binaryCrossentropy struct{}

// BinaryCrossentropy is Keras's binary_crossentropy: each output is the
// probability that a label is 1, each target is 0 or 1 (or a probability),
// and the loss is −(y·log p + (1−y)·log(1−p)) averaged over the outputs
// and the batch. Targets are (rows, outputs), or (rows) for one output.
// When the network ends in a sigmoid it is computed from the logits,
// stably, as Keras's TensorFlow backend does; otherwise from the
// probabilities, clipped to [1e-7, 1−1e-7]. With one output, Accuracy is
// binary accuracy at 0.5; for several (multi-label), use BinaryAccuracy.
func BinaryCrossentropy() Loss { return binaryCrossentropy{} }

func (binaryCrossentropy) Name() string { return "binary_crossentropy" }

func (binaryCrossentropy) Targets(y *tensor.Dense, width int) ([]float32, error) {
	return denseTargets(y, width)
}

func (binaryCrossentropy) Build(out, target *G.Node) (*G.Node, error) {
	if logits := graph.Logits(out); logits != nil && graph.IsSigmoid(out) {
		return graph.BinaryCrossentropyFromLogits(logits, target)
	}
	return graph.BinaryCrossentropy(out, target)
}
