package nn

import "slices"

// InputShape returns the shape of one sample the model takes, without the
// batch dimension, as Keras's model.input_shape[1:]: [784] for the MLP,
// [28 28 1] for the convnet. Fit, Evaluate and Predict take x of shape
// (rows, InputShape()...). It returns nil if the model has no layers or
// its layers do not fit together (Build says why).
func (m *Sequential) InputShape() []int {
	p, err := m.plan()
	if err != nil {
		return nil
	}
	return slices.Clone(p.inputs[0])
}

// OutputShape returns the shape of the model's output for one sample,
// without the batch dimension, as Keras's model.output_shape[1:]: [10]
// for a ten-class classifier. It returns nil if the model has no layers
// or its layers do not fit together (Build says why).
func (m *Sequential) OutputShape() []int {
	p, err := m.plan()
	if err != nil {
		return nil
	}
	return slices.Clone(p.outputs[len(p.outputs)-1])
}
