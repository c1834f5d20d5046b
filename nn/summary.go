package nn

import (
	"fmt"
	"strings"
)

// summaryWidth and the column stops are Keras 2's for sequential models.
const summaryWidth = 65

var summaryStops = []int{29, 55, 65}

// Summary returns the model's table in Keras 2's layout: each layer's
// name and type, output shape and parameter count, then the totals.
// The counts follow from the description, so Summary works before Build
// and does not build the model; if the description is wrong, Summary
// returns the error's text.
func (m *Sequential) Summary() string {
	p, err := m.plan()
	if err != nil {
		return "summary: " + err.Error()
	}
	var b strings.Builder
	b.WriteString("Model: \"sequential\"\n")
	b.WriteString(strings.Repeat("_", summaryWidth) + "\n")
	row(&b, "Layer (type)", "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", summaryWidth) + "\n")
	total := 0
	for i, l := range m.layers {
		total += p.params[i]
		row(&b, l.Name()+" ("+l.Kind()+")", shapeString(p.outputs[i]), fmt.Sprint(p.params[i]))
		if i == len(m.layers)-1 {
			b.WriteString(strings.Repeat("=", summaryWidth) + "\n")
		} else {
			b.WriteString(strings.Repeat("_", summaryWidth) + "\n")
		}
	}
	fmt.Fprintf(&b, "Total params: %s\n", commas(total))
	fmt.Fprintf(&b, "Trainable params: %s\n", commas(total))
	b.WriteString("Non-trainable params: 0\n")
	b.WriteString(strings.Repeat("_", summaryWidth) + "\n")
	return b.String()
}

// row writes fields cut and padded to the column stops, as Keras 2's
// print_row does: a field cut at its stop still ends in a space, the last
// character giving way ("max_pooling2d_1 (MaxPooling2 (None, …").
func row(b *strings.Builder, fields ...string) {
	line := ""
	for i, f := range fields {
		if i > 0 {
			line = line[:len(line)-1] + " "
		}
		line += f
		if len(line) > summaryStops[i] {
			line = line[:summaryStops[i]]
		}
		line += strings.Repeat(" ", summaryStops[i]-len(line))
	}
	b.WriteString(line + "\n")
}

// commas formats n with thousands separators: 407050 → "407,050".
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
