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
