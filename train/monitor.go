package train

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// maximised reports whether a monitor callback of the given kind should
// look for the largest value of monitor: mode "max", or "auto" (or "")
// with a monitor whose name, without "val_", is an accuracy-like metric.
// "auto" takes "loss" and the names of losses as minimised, as Keras 3
// does through its metrics' directions; any other name under "auto", or
// another mode, is an error naming it.
func maximised(who, monitor, mode string) (bool, error) {
	switch mode {
	case "min":
		return false, nil
	case "max":
		return true, nil
	case "auto", "":
	default:
		return false, errors.Errorf("%s: mode %q; want \"auto\", \"min\" or \"max\"", who, mode)
	}
	name := strings.TrimPrefix(monitor, "val_")
	if name == "loss" {
		return false, nil
	}
	if _, err := LossNamed(name); err == nil {
		return false, nil
	}
	for _, up := range []string{"acc", "auc", "precision", "recall"} {
		if strings.Contains(name, up) {
			return true, nil
		}
	}
	return false, errors.Errorf("%s: cannot tell whether %q should be minimised or maximised; set Mode to \"min\" or \"max\"", who, monitor)
}

// monitored returns logs[monitor] and whether it is there, and, the first
// time it is missing in a call (warned tells), writes a warning to w, as
// Keras's warnings.warn does.
func monitored(w io.Writer, who, monitor string, logs Logs, warned *bool) (float64, bool) {
	v, ok := logs[monitor]
	if !ok && !*warned {
		*warned = true
		fmt.Fprintf(w, "%s: the monitored value %q is not in the logs (%s); ignoring it\n", who, monitor, strings.Join(sortedKeys(logs), ", "))
	}
	return v, ok
}

// pyRepr formats v as Python's repr(float): the shortest digits that
// read back as v, with ".0" on whole numbers, in exponent form below
// 1e-4 and from 1e16 ("1e-05", "1e+16"), and "inf", "-inf", "nan".
func pyRepr(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(v, 'e', -1, 64)
	at := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[at+1:])
	if v != 0 && (exp < -4 || exp >= 16) {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", e[:at], sign, exp)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyFixed formats v as Python's f"{v:.{prec}f}": fixed point, or "inf",
// "-inf", "nan".
func pyFixed(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// copyParams copies the parameters' values into dst, allocating it the
// first time, and returns it.
func copyParams(dst, params [][]float32) [][]float32 {
	if dst == nil {
		return clone(params)
	}
	for i, p := range params {
		copy(dst[i], p)
	}
	return dst
}
