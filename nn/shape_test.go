package nn

import (
	"slices"
	"testing"
)

func TestShapes(t *testing.T) {
	for _, c := range []struct {
		name    string
		model   *Sequential
		in, out []int
	}{
		{"mlp", NewSequential(Dense(512, ReLU, InputShape(784)), Dense(10, Softmax)), []int{784}, []int{10}},
		{"convnet", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, InputShape(28, 28, 1)), MaxPooling2D([2]int{2, 2}), Flatten(), Dense(10, Softmax)), []int{28, 28, 1}, []int{10}},
		{"odd", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, InputShape(9, 7, 2)), MaxPooling2D([2]int{2, 2}), Flatten(), Dense(5, Softmax)), []int{9, 7, 2}, []int{5}},
		{"ends in images", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, InputShape(9, 7, 2))), nil, nil},
		{"empty", NewSequential(), nil, nil},
		{"no input shape", NewSequential(Dense(3, ReLU)), nil, nil},
		{"misfit", NewSequential(Conv2D(4, [2]int{3, 3}, ReLU, InputShape(784))), nil, nil},
	} {
		if got := c.model.InputShape(); !slices.Equal(got, c.in) {
			t.Errorf("%s: InputShape %v, want %v", c.name, got, c.in)
		}
		if got := c.model.OutputShape(); !slices.Equal(got, c.out) {
			t.Errorf("%s: OutputShape %v, want %v", c.name, got, c.out)
		}
	}
	m := NewSequential(Dense(10, Softmax, InputShape(4)))
	m.InputShape()[0] = 99
	if m.InputShape()[0] != 4 {
		t.Error("InputShape returns the model's own slice: changing it changed the model")
	}
}
