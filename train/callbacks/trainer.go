package callbacks

import (
	"io"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

// output returns w, or, when nil, the running call's Output.
func output(t *train.Trainer, w io.Writer) io.Writer {
	if w != nil {
		return w
	}
	return t.Output()
}

// learningRate returns the optimizer's learning rate, from its Keras
// config.
func learningRate(o train.Optimizer) float32 { return float32(o.Config()["learning_rate"]) }

// weights returns the values of every weight of t's network, trainable
// or not (train.Trainer.Params), in its order: the network's own slices, which
// training updates in place.
func weights(t *train.Trainer) ([][]float32, error) {
	ps := t.Params()
	ws := make([][]float32, len(ps))
	for i, p := range ps {
		var ok bool
		if p.Value != nil {
			ws[i], ok = p.Value.Data().([]float32)
		}
		if !ok {
			return nil, errors.Errorf("weight %d (%s) is not a float32 tensor", i, p.Name)
		}
	}
	return ws, nil
}

// copyWeights copies ws's values into dst and returns it, allocating it
// when it does not have ws's sizes (the first time).
func copyWeights(dst, ws [][]float32) [][]float32 {
	if !sameSizes(dst, ws) {
		dst = make([][]float32, len(ws))
		for i, w := range ws {
			dst[i] = make([]float32, len(w))
		}
	}
	for i, w := range ws {
		copy(dst[i], w)
	}
	return dst
}

// sameSizes reports whether a and b hold slices of the same lengths.
func sameSizes(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}
