package nn

import (
	"fmt"
	"slices"
	"strings"
)

// The widths and column stops of Keras 2's summary tables: a Sequential
// model's three columns, and a functional model's four.
var (
	sequentialStops = []int{29, 55, 65}
	functionalStops = []int{32, 53, 65, 98}
)

// Summary returns the model's table in Keras 2's layout. A Sequential's
// has a row per layer with its name and type, output shape and parameter
// count; a functional model's adds a column "Connected to" that names
// each call's inputs as layer[call][tensor] ("input_1[0][0]"), a row per
// layer, input layers included, and a further line for each further
// input or call. Then come the totals: all the parameters, the trainable
// ones, and the others (BatchNormalization's moving statistics, frozen
// layers'). The counts follow from the description, so Summary works
// before Build; if a Sequential's description is wrong, Summary returns
// the error's text.
func (m *Model) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", m.name)
	var trainable, frozen int
	count := func(l Layer) int {
		t, f := l.Base().paramCounts()
		trainable, frozen = trainable+t, frozen+f
		return t + f
	}
	if m.sequential {
		p, err := m.planStack()
		if err != nil {
			return "summary: " + err.Error()
		}
		stops := sequentialStops
		header(&b, stops, "Layer (type)", "Output Shape", "Param #")
		for i, l := range m.stack {
			row(&b, stops, l.Base().Name()+" ("+l.Kind()+")", shapeString(p.outputs[i]), fmt.Sprint(count(l)))
			rule(&b, stops, i == len(m.stack)-1)
		}
	} else {
		stops := functionalStops
		header(&b, stops, "Layer (type)", "Output Shape", "Param #", "Connected to")
		for i, l := range m.layers {
			var shapes [][]int
			var links []string
			for _, c := range m.calls {
				if c.layer != l {
					continue
				}
				shapes = append(shapes, c.out.shape)
				for _, x := range c.in {
					links = append(links, fmt.Sprintf("%s[%d][0]", x.call.layer.Base().Name(), m.local[x.call]))
				}
			}
			shape := shapeString(shapes[0])
			for _, s := range shapes[1:] {
				if !slices.Equal(s, shapes[0]) {
					shape = "multiple"
				}
			}
			first := ""
			if len(links) > 0 {
				first = links[0]
			}
			row(&b, stops, l.Base().Name()+" ("+l.Kind()+")", shape, fmt.Sprint(count(l)), first)
			for _, link := range links[min(1, len(links)):] {
				row(&b, stops, "", "", "", link)
			}
			rule(&b, stops, i == len(m.layers)-1)
		}
	}
	fmt.Fprintf(&b, "Total params: %s\n", commas(trainable+frozen))
	fmt.Fprintf(&b, "Trainable params: %s\n", commas(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", commas(frozen))
	b.WriteString(strings.Repeat("_", tableWidth(m)) + "\n")
	return b.String()
}

// tableWidth returns the width of m's table.
func tableWidth(m *Model) int {
	if m.sequential {
		return sequentialStops[len(sequentialStops)-1]
	}
	return functionalStops[len(functionalStops)-1]
}

// header writes the rule above the header, the header and the rule of
// '=' under it.
func header(b *strings.Builder, stops []int, fields ...string) {
	width := stops[len(stops)-1]
	b.WriteString(strings.Repeat("_", width) + "\n")
	row(b, stops, fields...)
	b.WriteString(strings.Repeat("=", width) + "\n")
}

// rule writes the rule under a layer's rows: '=' under the last one.
func rule(b *strings.Builder, stops []int, last bool) {
	c := "_"
	if last {
		c = "="
	}
	b.WriteString(strings.Repeat(c, stops[len(stops)-1]) + "\n")
}

// row writes fields cut and padded to the column stops, as Keras 2's
// print_row does: a field cut at its stop still ends in a space, the last
// character giving way ("max_pooling2d_1 (MaxPooling2 (None, …").
func row(b *strings.Builder, stops []int, fields ...string) {
	line := ""
	for i, f := range fields {
		if i > 0 {
			line = line[:len(line)-1] + " "
		}
		line += f
		if len(line) > stops[i] {
			line = line[:stops[i]]
		}
		line += strings.Repeat(" ", stops[i]-len(line))
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
