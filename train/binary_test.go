package train

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sigmoidNet is sigmoid(x·w + b): logistic regression, one output per
// label.
type sigmoidNet struct{ *softmaxRegression }

func (n sigmoidNet) Forward(x []*G.Node, p []*G.Node, _ Mode) ([]*G.Node, error) {
	z, err := graph.Dense(x[0], p[0], p[1])
	if err != nil {
		return nil, err
	}
	out, err := graph.Sigmoid(z)
	return []*G.Node{out}, err
}

// labelled returns n rows of 4 features and width labels, label j of a
// row being 1 when feature j (plus noise) is positive.
func labelled(n, width int, noise float64, seed uint64) (*tensor.Dense, *tensor.Dense) {
	rng := graph.NewRand(seed)
	x, y := make([]float32, n*4), make([]float32, n*width)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			x[i*4+j] = float32(rng.NormFloat64())
		}
		for j := 0; j < width; j++ {
			if float64(x[i*4+j])+noise*rng.NormFloat64() > 0 {
				y[i*width+j] = 1
			}
		}
	}
	return tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, width), tensor.WithBacking(y))
}

// byHand computes, in float64 from (rows, width) predictions, the binary
// cross-entropy (clipped as Keras clips), Keras's binary accuracy and the
// argmax accuracy.
func byHand(p, y []float32, width int) (loss, binary, argmaxAcc float64) {
	for i, v := range p {
		q := math.Min(math.Max(float64(v), 1e-7), 1-1e-7)
		loss -= float64(y[i])*math.Log(q) + (1-float64(y[i]))*math.Log(1-q)
		if (v > 0.5) == (y[i] == 1) {
			binary++
		}
	}
	rows := len(p) / width
	for r := 0; r < rows; r++ {
		if argmax(p[r*width:(r+1)*width]) == argmax(y[r*width:(r+1)*width]) {
			argmaxAcc++
		}
	}
	return loss / float64(len(p)), binary / float64(len(p)), argmaxAcc / float64(rows)
}

// TestBinaryCrossentropy trains logistic regression with one output and
// with three (multi-label), and checks Evaluate's loss, accuracy and
// binary accuracy against the same computed by hand from Predict's
// probabilities. As in Keras 3, "accuracy" goes by the output's width:
// binary for one output, the argmax for three.
func TestBinaryCrossentropy(t *testing.T) {
	for _, width := range []int{1, 3} {
		x, y := labelled(400, width, 0.3, 1)
		opt := RMSprop()
		opt.LearningRate = 0.02
		tr, err := Compile(sigmoidNet{newSoftmaxRegression(4, width, 2)}, opt, BinaryCrossentropy(), Accuracy(), BinaryAccuracy())
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Objectives()[0].Metrics[0].Name(); got != "accuracy" {
			t.Errorf("width %d: the metric is named %q, want accuracy", width, got)
		}
		for epoch := 0; epoch < 2; epoch++ {
			loss, metrics, err := tr.Evaluate(x, y, Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			p, err := tr.Predict(x, Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			wantLoss, wantBinary, wantArgmax := byHand(p.Data().([]float32), y.Data().([]float32), width)
			wantAcc := wantArgmax
			if width == 1 {
				wantAcc = wantBinary
			}
			if math.Abs(loss-wantLoss) > 1e-5*wantLoss || math.Abs(metrics[0]-wantAcc) > 1e-12 || math.Abs(metrics[1]-wantBinary) > 1e-12 {
				t.Errorf("width %d, after %d epochs: loss %.6f, accuracy %.6f, binary accuracy %.6f; by hand %.6f, %.6f, %.6f",
					width, epoch, loss, metrics[0], metrics[1], wantLoss, wantAcc, wantBinary)
			}
			if _, err := tr.Fit(x, y, Epochs(10), BatchSize(32), Verbose(0), Seed(1)); err != nil {
				t.Fatal(err)
			}
		}
		_, metrics, _ := tr.Evaluate(x, y, Verbose(0))
		if metrics[1] < 0.85 {
			t.Errorf("width %d: binary accuracy %.3f after 20 epochs, want ≥ 0.85", width, metrics[1])
		} else {
			t.Logf("width %d: binary accuracy %.3f after 20 epochs", width, metrics[1])
		}
	}
}

// TestBinaryCrossentropyFromLogits checks that a network ending in a
// sigmoid gets the loss from its logits: finite and exact where the
// probabilities round to 0 or 1 in float32, where clipping them would
// cap each sample's loss at −log(1e-7) ≈ 16.1.
func TestBinaryCrossentropyFromLogits(t *testing.T) {
	n := newSoftmaxRegression(1, 1, 1)
	n.w.Data().([]float32)[0] = 100 // logit 100·x
	tr, err := Compile(sigmoidNet{n}, SGD(), BinaryCrossentropy())
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{1, -1}))
	y := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0, 1})) // both wrong, by a logit of 100
	loss, _, err := tr.Evaluate(x, y, Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-100) > 1e-4 {
		t.Errorf("loss %v, want 100 (from the logits; probabilities would give 16.1)", loss)
	}
}

func TestBinaryAccuracy(t *testing.T) {
	p := []float32{0.9, 0.2, 0.5, 0.7, 0.1, 0.6}
	y := []float32{1, 0, 1, 0, 0, 1}
	// Row 0: 0.9→1 ✓, 0.2→0 ✓, 0.5→0 ✗ (at 0.5 is 0): 2/3. Row 1: 0.7→1 ✗, 0.1→0 ✓, 0.6→1 ✓: 2/3.
	if got := BinaryAccuracy().Sum(p, y, 2, 3); math.Abs(got-4.0/3) > 1e-12 {
		t.Errorf("binary accuracy sum %v, want 4/3", got)
	}
	// Soft targets never equal a thresholded prediction, as in Keras.
	if got := BinaryAccuracy().Sum([]float32{0.9}, []float32{0.8}, 1, 1); got != 0 {
		t.Errorf("soft target: %v, want 0", got)
	}
}
