package nn

import "slices"

// InputShape returns the shape of one sample of the model's first input,
// without the batch dimension, as Keras's model.input_shape[1:]: [784]
// for the MLP, [28 28 1] for the convnet. Fit, Evaluate and Predict take
// x of shape (rows, InputShape()...). Of a Sequential not yet built it
// returns nil if the layers do not fit together (Build says why).
func (m *Model) InputShape() []int {
	if m.sequential && !m.built {
		p, err := m.planStack()
		if err != nil {
			return nil
		}
		return slices.Clone(p.inputs[0])
	}
	return m.inputs[0].Shape()
}

// OutputShape returns the shape of the model's first output for one
// sample, without the batch dimension, as Keras's
// model.output_shape[1:]: [10] for a ten-class classifier. Of a
// Sequential not yet built it returns nil if the layers do not fit
// together (Build says why).
func (m *Model) OutputShape() []int {
	if m.sequential && !m.built {
		p, err := m.planStack()
		if err != nil {
			return nil
		}
		return slices.Clone(p.outputs[len(p.outputs)-1])
	}
	return m.outputs[0].Shape()
}
