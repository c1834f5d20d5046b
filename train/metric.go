package train

// A Metric scores predictions against targets, sample by sample.
type Metric interface {
	// Name is the Keras name shown in the progress line and History.
	Name() string
	// Sum returns the sum over a batch's rows of the per-sample score,
	// for row-major (rows, width) predictions and targets.
	Sum(pred, target []float32, rows, width int) float64
}

type accuracy struct{}

// Accuracy is Keras's "accuracy": for outputs of width above 1 the share
// of rows whose largest prediction is at the target's largest entry (the
// first such index on ties, as numpy's argmax), which is categorical
// accuracy for one-hot targets and sparse categorical accuracy for class
// indices; for a single output, binary accuracy at threshold 0.5.
func Accuracy() Metric { return accuracy{} }

func (accuracy) Name() string { return "accuracy" }

func (accuracy) Sum(pred, target []float32, rows, width int) float64 {
	var hits float64
	for i := 0; i < rows; i++ {
		p, t := pred[i*width:(i+1)*width], target[i*width:(i+1)*width]
		if width == 1 {
			if (p[0] > 0.5) == (t[0] > 0.5) {
				hits++
			}
			continue
		}
		if argmax(p) == argmax(t) {
			hits++
		}
	}
	return hits
}

// argmax returns the index of the first largest value.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

type binaryAccuracy struct{ name string }

// BinaryAccuracy is Keras's "binary_accuracy": per sample, the share of
// its outputs whose prediction, thresholded at 0.5 (1 above, 0 at or
// below), equals the target exactly; so targets are 0 or 1. Compile uses
// it for Accuracy when the loss is BinaryCrossentropy, as Keras resolves
// "accuracy" by the loss, keeping the name "accuracy".
func BinaryAccuracy() Metric { return binaryAccuracy{"binary_accuracy"} }

func (m binaryAccuracy) Name() string { return m.name }

func (binaryAccuracy) Sum(pred, target []float32, rows, width int) float64 {
	var total float64
	for i := 0; i < rows; i++ {
		hits := 0
		for j, p := range pred[i*width : (i+1)*width] {
			var label float32
			if p > 0.5 {
				label = 1
			}
			if label == target[i*width+j] {
				hits++
			}
		}
		total += float64(hits) / float64(width)
	}
	return total
}

// resolveAccuracy returns metrics with Accuracy made BinaryAccuracy
// (named "accuracy") for a binary cross-entropy loss, as Keras resolves
// the name "accuracy" by the loss; otherwise metrics as they are.
func resolveAccuracy(loss Loss, metrics []Metric) []Metric {
	if loss.Name() != BinaryCrossentropy().Name() {
		return metrics
	}
	out := make([]Metric, len(metrics))
	for i, m := range metrics {
		out[i] = m
		if _, ok := m.(accuracy); ok {
			out[i] = binaryAccuracy{"accuracy"}
		}
	}
	return out
}
