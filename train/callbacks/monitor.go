package callbacks

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/train"
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
	if _, err := train.LossNamed(name); err == nil {
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
func monitored(w io.Writer, who, monitor string, logs train.Logs, warned *bool) (float64, bool) {
	v, ok := logs[monitor]
	if !ok && !*warned {
		*warned = true
		fmt.Fprintf(w, "%s: the monitored value %q is not in the logs (%s); ignoring it\n", who, monitor, strings.Join(sortedKeys(logs), ", "))
	}
	return v, ok
}

// sortedKeys returns the logs' names in order.
func sortedKeys(logs train.Logs) []string {
	ks := make([]string, 0, len(logs))
	for k := range logs {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
