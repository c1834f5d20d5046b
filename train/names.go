package train

import "github.com/pkg/errors"

// LossNamed returns the loss Keras calls name: "categorical_crossentropy",
// "sparse_categorical_crossentropy", "binary_crossentropy" or
// "mean_squared_error" (also "mse", as Keras accepts). Any other name is an error naming it. A loss's Name
// is always the long form, so LossNamed(l.Name()) gives l back.
func LossNamed(name string) (Loss, error) {
	switch name {
	case "categorical_crossentropy":
		return CategoricalCrossentropy(), nil
	case "sparse_categorical_crossentropy":
		return SparseCategoricalCrossentropy(), nil
	case "binary_crossentropy":
		return BinaryCrossentropy(), nil
	case "mean_squared_error", "mse":
		return MeanSquaredError(), nil
	}
	return nil, errors.Errorf("LossNamed: unknown loss %q; want categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy or mean_squared_error", name)
}

// MetricNamed returns the metric Keras calls name: "accuracy" (also
// "acc") or "binary_accuracy". Any other name is an error naming it.
func MetricNamed(name string) (Metric, error) {
	switch name {
	case "accuracy", "acc":
		return Accuracy(), nil
	case "binary_accuracy":
		return BinaryAccuracy(), nil
	}
	return nil, errors.Errorf("MetricNamed: unknown metric %q; want accuracy or binary_accuracy", name)
}
