package train

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// ModelCheckpoint is Keras 3's ModelCheckpoint callback (saving at each
// epoch's end): it calls Save with Path, formatted, after every epoch, or
// only after epochs that improve the monitored value with SaveBestOnly.
// Package train cannot write models itself: Save does (nn's model.Save).
// Save runs, as every callback, with the Trainer's lock held, so it must
// not call the Trainer's Fit, Evaluate, Predict or Locked.
//
// Path may hold fields in Python's format syntax, filled from the
// epoch's logs and "epoch" (counted from 1): "model-{epoch:02d}-
// {val_loss:.2f}.npz" gives "model-03-0.41.npz". The subset understood:
// {name}, {name:spec} with spec [0][width][.precision][type], type d
// (integers: only epoch), f, e or g, and {{ and }} for braces. A field
// that is neither epoch nor in the logs is an error naming it (at the
// epoch's end); a malformed Path is an error at OnTrainBegin, as a nil
// Save is. An error from Save aborts Fit.
//
// With SaveBestOnly it saves when the value improves on the best so far
// (below it when minimising, above when maximising; no min_delta), the
// best starting at +Inf (−Inf) and kept across Fit calls, as in Keras;
// when the value is missing from the logs it warns once and saves, as
// Keras does. With Verbose > 0 it prints, as Keras does, "Epoch N:
// val_loss improved from A to B, saving model to PATH" (A and B with 5
// decimals), "Epoch N: val_loss did not improve from A", or, without
// SaveBestOnly, "Epoch N: saving model to PATH".
type ModelCheckpoint struct {
	BaseCallback
	Path         string                  // where to save, with format fields
	Monitor      string                  // the logs' name to watch; "" means "val_loss"
	SaveBestOnly bool                    // save only epochs that improve on the best
	Mode         string                  // "auto" (or ""), "min" or "max"
	Verbose      int                     // above 0: say what it saves
	Output       io.Writer               // where messages go; nil: Fit's Output
	Save         func(path string) error // writes the model; required

	parts    []pathPart
	maximise bool
	best     float64
	haveBest bool
	warned   bool
}

func (c *ModelCheckpoint) monitor() string {
	if c.Monitor == "" {
		return "val_loss"
	}
	return c.Monitor
}

// OnTrainBegin checks Save, Path and the mode.
func (c *ModelCheckpoint) OnTrainBegin(*Trainer) error {
	if c.Save == nil {
		return errors.New("ModelCheckpoint: nil Save: give it the function that writes the model (nn's model.Save)")
	}
	parts, err := parsePath(c.Path)
	if err != nil {
		return errors.Wrap(err, "ModelCheckpoint")
	}
	up, err := maximised("ModelCheckpoint", c.monitor(), c.Mode)
	if err != nil {
		return err
	}
	if !c.haveBest || up != c.maximise {
		c.best = math.Inf(1)
		if up {
			c.best = math.Inf(-1)
		}
		c.haveBest = true
	}
	c.parts, c.maximise, c.warned = parts, up, false
	return nil
}

// OnEpochEnd saves the model if it should; see ModelCheckpoint.
func (c *ModelCheckpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	path, err := formatPath(c.parts, epoch+1, logs)
	if err != nil {
		return errors.Wrapf(err, "ModelCheckpoint: path %q", c.Path)
	}
	w := t.writer(c.Output)
	if c.SaveBestOnly {
		v, ok := monitored(w, "ModelCheckpoint", c.monitor(), logs, &c.warned)
		if ok {
			better := v < c.best
			if c.maximise {
				better = v > c.best
			}
			if !better {
				if c.Verbose > 0 {
					fmt.Fprintf(w, "Epoch %d: %s did not improve from %s\n", epoch+1, c.monitor(), pyFixed(c.best, 5))
				}
				return nil
			}
			if c.Verbose > 0 {
				fmt.Fprintf(w, "Epoch %d: %s improved from %s to %s, saving model to %s\n", epoch+1, c.monitor(), pyFixed(c.best, 5), pyFixed(v, 5), path)
			}
			c.best = v
		}
	} else if c.Verbose > 0 {
		fmt.Fprintf(w, "Epoch %d: saving model to %s\n", epoch+1, path)
	}
	if err := c.Save(path); err != nil {
		return errors.Wrapf(err, "ModelCheckpoint: saving %s", path)
	}
	return nil
}

// pathPart is a literal piece of a path, or a field to format.
type pathPart struct {
	lit, field string
	spec       formatSpec
}

// formatSpec is a parsed [0][width][.precision][type].
type formatSpec struct {
	text  string // as written, for errors
	zero  bool
	width int
	prec  int // -1: none
	verb  byte
}

// parsePath splits a Python format string into literals and fields.
func parsePath(p string) ([]pathPart, error) {
	if p == "" {
		return nil, errors.New("empty Path")
	}
	var parts []pathPart
	var lit strings.Builder
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case ch == '{' && i+1 < len(p) && p[i+1] == '{', ch == '}' && i+1 < len(p) && p[i+1] == '}':
			lit.WriteByte(ch)
			i++
		case ch == '}':
			return nil, errors.Errorf("path %q: single '}' at byte %d; write }} for a brace", p, i)
		case ch == '{':
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				return nil, errors.Errorf("path %q: '{' at byte %d is not closed", p, i)
			}
			field := p[i+1 : i+end]
			name, spec, _ := strings.Cut(field, ":")
			if name == "" || strings.ContainsAny(name, "{!.[ ") {
				return nil, errors.Errorf("path %q: field {%s} is not a plain name (only {name} and {name:spec} are understood)", p, field)
			}
			sp, err := parseSpec(spec)
			if err != nil {
				return nil, errors.Wrapf(err, "path %q: field {%s}", p, field)
			}
			if lit.Len() > 0 {
				parts = append(parts, pathPart{lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, pathPart{field: name, spec: sp})
			i += end
		default:
			lit.WriteByte(ch)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, pathPart{lit: lit.String()})
	}
	return parts, nil
}

// parseSpec parses [0][width][.precision][type], type one of d, f, e, g.
func parseSpec(s string) (formatSpec, error) {
	sp := formatSpec{text: s, prec: -1}
	i := 0
	if i < len(s) && s[i] == '0' {
		sp.zero = true
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j > i {
		sp.width, _ = strconv.Atoi(s[i:j])
	}
	i = j
	if i < len(s) && s[i] == '.' {
		j = i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return sp, errors.Errorf("format spec %q: '.' without a precision", s)
		}
		sp.prec, _ = strconv.Atoi(s[i+1 : j])
		i = j
	}
	if i < len(s) {
		if i != len(s)-1 || !strings.ContainsRune("dfeg", rune(s[i])) {
			return sp, errors.Errorf("format spec %q is not understood; want [0][width][.precision][d|f|e|g]", s)
		}
		sp.verb = s[i]
	}
	if sp.verb == 'd' && sp.prec >= 0 {
		return sp, errors.Errorf("format spec %q: precision is not allowed with d", s)
	}
	if sp.verb == 0 && sp.prec >= 0 {
		return sp, errors.Errorf("format spec %q: give a type (f, e or g) with a precision", s)
	}
	return sp, nil
}

// formatPath fills the fields from epoch and logs.
func formatPath(parts []pathPart, epoch int, logs Logs) (string, error) {
	var b strings.Builder
	for _, p := range parts {
		if p.field == "" {
			b.WriteString(p.lit)
			continue
		}
		var s string
		if p.field == "epoch" {
			s = formatInt(epoch, p.spec)
		} else {
			v, ok := logs[p.field]
			if !ok {
				return "", errors.Errorf("unknown field {%s}: want epoch or one of the logs' names (%s)", p.field, strings.Join(sortedKeys(logs), ", "))
			}
			if p.spec.verb == 'd' {
				return "", errors.Errorf("field {%s:%s}: format code 'd' needs an integer, and %s is a float", p.field, p.spec.text, p.field)
			}
			s = formatFloat(v, p.spec)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func formatInt(n int, sp formatSpec) string {
	if sp.verb == 'f' || sp.verb == 'e' || sp.verb == 'g' {
		return formatFloat(float64(n), sp)
	}
	return pad(strconv.Itoa(n), sp)
}

func formatFloat(v float64, sp formatSpec) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return pad(pyRepr(v), formatSpec{width: sp.width})
	}
	var s string
	switch sp.verb {
	case 0:
		s = pyRepr(v)
	case 'f':
		s = strconv.FormatFloat(v, 'f', precOr6(sp.prec), 64)
	case 'e':
		s = strconv.FormatFloat(v, 'e', precOr6(sp.prec), 64)
	case 'g':
		s = strconv.FormatFloat(v, 'g', max(precOr6(sp.prec), 1), 64)
	}
	return pad(s, sp)
}

func precOr6(p int) int {
	if p < 0 {
		return 6
	}
	return p
}

// pad right-aligns s in sp.width, with zeros after the sign when
// sp.zero, as Python does for numbers.
func pad(s string, sp formatSpec) string {
	n := sp.width - len(s)
	if n <= 0 {
		return s
	}
	if !sp.zero {
		return strings.Repeat(" ", n) + s
	}
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], s[1:]
	}
	return sign + strings.Repeat("0", n) + s
}
