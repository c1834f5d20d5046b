package train

import (
	"bytes"
	"testing"
	"time"
)

// clock returns a fake time source reading the given seconds in turn.
func clock(secs ...float64) func() time.Time {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	return func() time.Time {
		s := secs[min(i, len(secs)-1)]
		i++
		return t0.Add(time.Duration(s * float64(time.Second)))
	}
}

var lossAcc = []value{{"loss", 0.25714}, {"accuracy", 0.92567}}

func TestProgbarFinishedLine(t *testing.T) {
	var b bytes.Buffer
	// start at 0 s, step 1 ends at 0.2 s, the epoch at 3.0 s: (3.0−0.2)/468
	// = 5.98 ms a step, the first step left out, as Keras does.
	p := newProgbar(&b, 469, 1, clock(0, 0.2, 1, 3.0))
	p.update(1, lossAcc, false)
	p.update(200, lossAcc, false)
	p.update(469, lossAcc, true)
	want := "469/469 [==============================] - 3s 6ms/step - loss: 0.2571 - accuracy: 0.9257\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestProgbarLiveRedraw(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 469, 1, clock(0, 0.5, 1.5))
	p.dynamic = true
	p.update(1, lossAcc, false)
	// step 100 at 1.5 s: (1.5−0.5)/99 s a step, 369 steps left → ETA 3 s.
	p.update(100, []value{{"loss", 0.5}}, false)
	want := "\r  1/469 [..............................] - ETA: 3:54 - loss: 0.2571 - accuracy: 0.9257" +
		"\r100/469 [=====>........................] - ETA: 3s - loss: 0.5000" + "                     "
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestProgbarVerbose2(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 469, 2, clock(0, 0.2, 3.0))
	p.update(1, lossAcc, false)
	p.update(469, append(lossAcc, value{"val_loss", 0.0004}), true)
	want := "469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - val_loss: 4.0000e-04 - 3s/epoch - 6ms/step\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestProgbarSilent(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 10, 0, clock(0, 1, 2))
	p.update(1, lossAcc, false)
	p.update(10, lossAcc, true)
	if b.Len() != 0 {
		t.Errorf("verbosity 0 printed %q", b.String())
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatValue(0.0680), "0.0680"},
		{formatValue(0.0005), "5.0000e-04"},
		{formatValue(-2), "-2.0000"},
		{formatTime(0.0005, "step"), " 500us/step"},
		{formatTime(0.0064, "step"), " 6ms/step"},
		{formatTime(2.5, "step"), " 2s/step"},
		{formatTime(0, "step"), " 0s/step"},
		{formatETA(59.9), "59s"},
		{formatETA(65), "1:05"},
		{formatETA(3661), "1:01:01"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
