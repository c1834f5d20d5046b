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

// Accuracy is Keras's "accuracy", resolved as Keras 3 resolves it, by
// the output's width: for one output, binary accuracy (see
// BinaryAccuracy); for more, the share of rows whose largest prediction
// is at the target's largest entry (the first such index on ties, as
// numpy's argmax), which is categorical accuracy for one-hot targets and
// sparse categorical accuracy for class indices.
func Accuracy() Metric { return accuracy{} }

func (accuracy) Name() string { return "accuracy" }

func (accuracy) Sum(pred, target []float32, rows, width int) float64 {
	if width == 1 {
		return BinaryAccuracy().Sum(pred, target, rows, width)
	}
	var hits float64
	for i := 0; i < rows; i++ {
		p, t := pred[i*width:(i+1)*width], target[i*width:(i+1)*width]
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

type binaryAccuracy struct{}

// BinaryAccuracy is Keras's "binary_accuracy": per sample, the share of
// its outputs whose prediction, thresholded at 0.5 (1 above, 0 at or
// below), equals the target exactly; so targets are 0 or 1. Accuracy is
// this for one output; for multi-label outputs under BinaryCrossentropy,
// ask for BinaryAccuracy by name, as in Keras.
func BinaryAccuracy() Metric { return binaryAccuracy{} }

func (binaryAccuracy) Name() string { return "binary_accuracy" }

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
