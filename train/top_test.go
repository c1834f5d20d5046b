package train

import (
	"math"
	"slices"
	"testing"
)

func TestTop(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		name string
		row  []float32
		k    int
		want []int // classes; nil: an error
	}{
		{"three", []float32{0.1, 0.6, 0.05, 0.25}, 3, []int{1, 3, 0}},
		{"ties in index order", []float32{0.2, 0.4, 0.4, 0}, 3, []int{1, 2, 0}},
		{"k past the row", []float32{0.3, 0.7}, 5, []int{1, 0}},
		{"one", []float32{0.3, 0.7}, 1, []int{1}},
		{"first agrees with argmax", []float32{0.5, 0.5}, 1, []int{argmax([]float32{0.5, 0.5})}},
		{"empty", nil, 3, nil},
		{"k zero", []float32{1}, 0, nil},
		{"nan", []float32{0.5, nan}, 1, nil},
	} {
		got, err := Top(c.row, c.k)
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: no error", c.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var classes []int
		for _, g := range got {
			classes = append(classes, g.Class)
			if g.Probability != float64(c.row[g.Class]) {
				t.Errorf("%s: class %d has probability %v, want %v", c.name, g.Class, g.Probability, c.row[g.Class])
			}
		}
		if !slices.Equal(classes, c.want) {
			t.Errorf("%s: classes %v, want %v", c.name, classes, c.want)
		}
	}
}
