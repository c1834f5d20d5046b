package callbacks

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/train"
)

func TestModelCheckpoint(t *testing.T) {
	_, ref, _ := overfitRun(t, 8)
	vl := ref.Values["val_loss"]
	var saved []string
	cp := &ModelCheckpoint{Path: "m-{epoch:02d}-{val_loss:.3f}.npz", SaveBestOnly: true, Verbose: 1,
		Save: func(p string) error { saved = append(saved, p); return nil }}
	_, _, out := overfitRun(t, 8, cp)
	var want []string
	var msgs strings.Builder
	best := math.Inf(1)
	for e, v := range vl {
		if v < best {
			path := fmt.Sprintf("m-%02d-%.3f.npz", e+1, v)
			want = append(want, path)
			fmt.Fprintf(&msgs, "Epoch %d: val_loss improved from %s to %.5f, saving model to %s\n", e+1, pyFixed(best, 5), v, path)
			best = v
		} else {
			fmt.Fprintf(&msgs, "Epoch %d: val_loss did not improve from %.5f\n", e+1, best)
		}
	}
	if strings.Join(saved, " ") != strings.Join(want, " ") || len(want) == len(vl) {
		t.Errorf("saved %v, want %v (val_loss %v)", saved, want, vl)
	}
	if out != msgs.String() || !strings.HasPrefix(out, "Epoch 1: val_loss improved from inf to ") {
		t.Errorf("messages:\n%s\nwant\n%s", out, msgs.String())
	}

	saved = nil
	all := &ModelCheckpoint{Path: "e{epoch}.bin", Save: func(p string) error { saved = append(saved, p); return nil }}
	overfitRun(t, 3, all)
	if strings.Join(saved, " ") != "e1.bin e2.bin e3.bin" {
		t.Errorf("without save_best_only: %v", saved)
	}

	full := errors.New("disk full")
	x, y := blobs(10, 4, 1)
	for _, tc := range []struct {
		cp   *ModelCheckpoint
		want string
	}{
		{&ModelCheckpoint{Path: "m.npz"}, "nil Save"},
		{&ModelCheckpoint{Path: "m-{epoch:02d.npz", Save: func(string) error { return nil }}, "is not closed"},
		{&ModelCheckpoint{Path: "m-{val_los:.2f}.npz", Save: func(string) error { return nil }}, "unknown field {val_los}"},
		{&ModelCheckpoint{Path: "m.npz", Save: func(string) error { return full }}, "fit: epoch 1: callback 0 (*callbacks.ModelCheckpoint) OnEpochEnd: ModelCheckpoint: saving m.npz: disk full"},
	} {
		tr := compiled(t, 1, train.CategoricalCrossentropy())
		_, err := tr.Fit(x, y, train.Verbose(0), train.Callbacks(tc.cp))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.cp, err, tc.want)
		}
		if strings.Contains(tc.want, "disk full") && !errors.Is(err, full) {
			t.Errorf("Save's error is not wrapped: %v", err)
		}
	}
}

func TestPathFormat(t *testing.T) {
	logs := train.Logs{"loss": 0.123456, "val_loss": 1.5, "tiny": 1e-5, "nan": math.NaN()}
	tests := []struct{ path, want string }{
		{"m-{epoch:02d}-{val_loss:.2f}.npz", "m-03-1.50.npz"},
		{"{epoch}_{epoch:03}_{epoch:.1f}", "3_003_3.0"},
		{"{loss}|{val_loss}|{tiny}|{nan}", "0.123456|1.5|1e-05|nan"},
		{"{loss:8.3f}|{loss:08.3f}|{loss:.2e}|{loss:g}", "   0.123|0000.123|1.23e-01|0.123456"},
		{"{{epoch}}-{{{epoch}}}", "{epoch}-{3}"},
	}
	for _, tc := range tests {
		parts, err := parsePath(tc.path)
		if err != nil {
			t.Errorf("%q: %v", tc.path, err)
			continue
		}
		if got, err := formatPath(parts, 3, logs); err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	bad := []struct{ path, want string }{
		{"", "empty Path"},
		{"m}", "single '}'"},
		{"{epoch", "is not closed"},
		{"{a.b}", "is not a plain name"},
		{"{epoch:x}", `format spec "x" is not understood`},
		{"{epoch:.2d}", "precision is not allowed with d"},
		{"{loss:.}", "'.' without a precision"},
	}
	for _, tc := range bad {
		if _, err := parsePath(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"{loss:02d}", "format code 'd' needs an integer"},
		{"{acc}", "unknown field {acc}: want epoch or one of the logs' names (loss, nan, tiny, val_loss)"},
	} {
		parts, err := parsePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := formatPath(parts, 1, logs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
}
