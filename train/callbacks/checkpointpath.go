package callbacks

import (
	"math"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
)

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
func formatPath(parts []pathPart, epoch int, logs train.Logs) (string, error) {
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
