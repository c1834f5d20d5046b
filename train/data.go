package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// floats returns t's values as float32, converting from any real type.
// It returns an error naming the first NaN or infinity, with its row.
func floats(what string, t *tensor.Dense, width int) ([]float32, error) {
	if t == nil {
		return nil, errors.Errorf("%s is nil", what)
	}
	if t.IsView() {
		t = t.Materialize().(*tensor.Dense)
	}
	var out []float32
	switch d := t.Data().(type) {
	case []float32:
		out = d
	case []float64:
		out = convert(d)
	case []uint8:
		out = convert(d)
	case []int:
		out = convert(d)
	case []int32:
		out = convert(d)
	case []int64:
		out = convert(d)
	default:
		return nil, errors.Errorf("%s has element type %v; want a real number type", what, t.Dtype())
	}
	for i, v := range out {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.Errorf("%s holds %v at row %d, column %d", what, v, i/width, i%width)
		}
	}
	return out, nil
}

func convert[T float64 | uint8 | int | int32 | int64](d []T) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

// rowsOf checks that t is (rows, width), or (rows) when width is 1, and
// returns the row count.
func rowsOf(what string, t *tensor.Dense, width int) (int, error) {
	if t == nil {
		return 0, errors.Errorf("%s is nil", what)
	}
	s := t.Shape()
	switch {
	case s.Dims() == 2 && s[1] == width:
		return s[0], nil
	case s.Dims() == 1 && width == 1:
		return s[0], nil
	case s.Dims() == 2:
		return 0, errors.Errorf("%s has %d features per row (shape %v), but the network expects %d", what, s[1], s, width)
	default:
		return 0, errors.Errorf("%s has shape %v; want (rows, %d)", what, s, width)
	}
}

// inputs validates x, named what in errors, for an input whose samples
// have the given shape and returns its rows, flattened, as float32. x is
// (rows, shape...), or, for a shape that ends in one channel, (rows,
// shape without it): a (rows, 28, 28) stack of images feeds a network
// that takes (28, 28, 1).
func inputs(what string, x *tensor.Dense, shape []int) ([]float32, int, error) {
	if x == nil {
		return nil, 0, errors.Errorf("%s is nil", what)
	}
	s := x.Shape()
	if s.Dims() == 0 || !(slices.Equal(s[1:], shape) || len(shape) > 1 && shape[len(shape)-1] == 1 && slices.Equal(s[1:], shape[:len(shape)-1])) {
		return nil, 0, errors.Errorf("%s has shape %v; the network takes (rows, %s)%s", what, s, dimList(shape), flatHint(s, shape))
	}
	n := s[0]
	if n == 0 {
		return nil, 0, errors.Errorf("%s has no rows", what)
	}
	d, err := floats(what, x, size(shape))
	return d, n, err
}

// dimList writes a shape's dimensions as "28, 28, 1".
func dimList(shape []int) string {
	return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(shape)), ", "), "[]")
}

// flatHint suggests the reshape that makes x fit, when one does.
func flatHint(s tensor.Shape, shape []int) string {
	if s.Dims() > 1 && size(s[1:]) == size(shape) {
		return fmt.Sprintf(": reshape each sample's %d values to (%s)", size(shape), dimList(shape))
	}
	return ""
}

// dataset is validated inputs and targets.
type dataset struct {
	x [][]float32 // per input, row-major (n, values of a sample)
	y [][]float32 // per output, row-major (n, width); nil for an output without targets
	n int
}

// named returns the name of tensor i of a kind ("x" or "y") in errors:
// the kind alone when there is one tensor, else "x[1] (name)".
func named(kind string, i int, specs []TensorSpec) string {
	if len(specs) == 1 {
		return kind
	}
	return fmt.Sprintf("%s[%d] (%s)", kind, i, specs[i].Name)
}

// dataset validates xs, one tensor per input, and, when targets is set,
// ys, one per output (nil for an output that is neither trained nor
// scored), against the network and the objectives.
func (t *Trainer) dataset(xs, ys []*tensor.Dense, targets bool) (*dataset, error) {
	ins, outs := t.net.Inputs(), t.net.Outputs()
	if len(xs) != len(ins) {
		return nil, errors.Errorf("%d input tensors for a network of %d inputs", len(xs), len(ins))
	}
	d := &dataset{x: make([][]float32, len(ins)), y: make([][]float32, len(outs)), n: -1}
	for i, in := range ins {
		x, n, err := inputs(named("x", i, ins), xs[i], in.Shape)
		if err != nil {
			return nil, err
		}
		if d.n >= 0 && n != d.n {
			return nil, errors.Errorf("%s has %d rows but %s has %d", named("x", i, ins), n, named("x", 0, ins), d.n)
		}
		d.x[i], d.n = x, n
	}
	if !targets {
		return d, nil
	}
	if len(ys) != len(outs) {
		return nil, errors.Errorf("%d target tensors for a network of %d outputs", len(ys), len(outs))
	}
	for i, o := range t.objs {
		what := named("y", i, outs)
		if !o.needsTargets() {
			continue
		}
		var (
			y   []float32
			err error
		)
		if o.Loss != nil {
			y, err = o.Loss.Targets(ys[i], t.outs[i])
		} else {
			y, err = denseTargets(ys[i], t.outs[i])
		}
		if err != nil {
			if len(outs) > 1 {
				err = errors.Wrapf(err, "%s", what)
			}
			return nil, err
		}
		if m := len(y) / t.outs[i]; m != d.n {
			return nil, errors.Errorf("%s has %d rows but %s has %d", named("x", 0, ins), d.n, what, m)
		}
		d.y[i] = y
	}
	return d, nil
}

// slice returns rows [lo, hi) as a dataset sharing memory.
func (d *dataset) slice(lo, hi int, ins, outs []int) *dataset {
	s := &dataset{x: make([][]float32, len(d.x)), y: make([][]float32, len(d.y)), n: hi - lo}
	for i, x := range d.x {
		s.x[i] = x[lo*ins[i] : hi*ins[i]]
	}
	for i, y := range d.y {
		if y != nil {
			s.y[i] = y[lo*outs[i] : hi*outs[i]]
		}
	}
	return s
}
