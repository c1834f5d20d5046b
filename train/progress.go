package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// A value is one named number shown in the progress line.
type value struct {
	name string
	v    float64
}

// progbar draws tf-keras 2's Progbar. With verbose 1 it redraws a bar in
// place on a terminal (at most every 50 ms) and, elsewhere, prints only
// each finished line; with verbose 2 it prints one summary line when done;
// with verbose 0 nothing.
type progbar struct {
	w          io.Writer
	target     int
	verbose    int
	dynamic    bool
	now        func() time.Time
	start      time.Time
	last       time.Time
	firstStep  time.Time // when step 1 ended, if it has
	totalWidth int
}

const (
	barWidth       = 30
	redrawInterval = 50 * time.Millisecond
)

func newProgbar(w io.Writer, target, verbose int, now func() time.Time) *progbar {
	if now == nil {
		now = time.Now
	}
	return &progbar{w: w, target: target, verbose: verbose, dynamic: isTerminal(w), now: now, start: now()}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// update shows progress after current steps with the running values;
// finalize ends the line.
func (p *progbar) update(current int, values []value, finalize bool) {
	now := p.now()
	perStep := p.stepDuration(current, now)
	switch {
	case p.verbose == 1 && (finalize || (p.dynamic && now.Sub(p.last) >= redrawInterval)):
		p.last = now
		p.drawBar(current, now, perStep, values, finalize)
	case p.verbose == 2 && finalize:
		elapsed := now.Sub(p.start).Seconds()
		var b strings.Builder
		fmt.Fprintf(&b, "%*d/%d - %.0fs", digits(p.target), current, p.target, elapsed)
		for _, v := range values {
			b.WriteString(" - " + v.name + ": " + formatValue(v.v))
		}
		b.WriteString(" -" + formatTime(elapsed, "epoch"))
		b.WriteString(" -" + formatTime(elapsed/float64(p.target), "step"))
		b.WriteString("\n")
		io.WriteString(p.w, b.String())
	}
}

func (p *progbar) drawBar(current int, now time.Time, perStep float64, values []value, finalize bool) {
	var b strings.Builder
	if p.dynamic {
		b.WriteString("\r")
	}
	fmt.Fprintf(&b, "%*d/%d [", digits(p.target), current, p.target)
	filled := int(float64(barWidth) * float64(current) / float64(p.target))
	if filled > 0 {
		b.WriteString(strings.Repeat("=", filled-1))
		if current < p.target {
			b.WriteString(">")
		} else {
			b.WriteString("=")
		}
	}
	b.WriteString(strings.Repeat(".", max(barWidth-filled, 0)) + "]")
	width := b.Len()
	if p.dynamic {
		width--
	}
	var info string
	if finalize {
		info = fmt.Sprintf(" - %.0fs", now.Sub(p.start).Seconds()) + formatTime(perStep, "step")
	} else {
		info = " - ETA: " + formatETA(perStep*float64(p.target-current))
	}
	for _, v := range values {
		info += " - " + v.name + ": " + formatValue(v.v)
	}
	width += len(info)
	if p.totalWidth > width {
		info += strings.Repeat(" ", p.totalWidth-width)
	}
	p.totalWidth = width
	b.WriteString(info)
	if finalize {
		b.WriteString("\n")
	}
	if finalize || p.dynamic {
		io.WriteString(p.w, b.String())
	}
}

// stepDuration is Keras's estimate of the seconds a step takes: the time
// since step 1 ended over the steps since, or the whole time over current
// while at step 1.
func (p *progbar) stepDuration(current int, now time.Time) float64 {
	if current == 0 {
		return 0
	}
	var d float64
	if !p.firstStep.IsZero() && current > 1 {
		d = now.Sub(p.firstStep).Seconds() / float64(current-1)
	} else {
		d = now.Sub(p.start).Seconds() / float64(current)
	}
	if current == 1 {
		p.firstStep = now
	}
	return d
}

func digits(n int) int { return len(strconv.Itoa(n)) }

// formatValue formats a metric as Keras does: %.4f, or %.4e when tiny.
func formatValue(v float64) string {
	if math.Abs(v) > 1e-3 {
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.4e", v)
}

// formatTime formats seconds per unit as " 3s/step", " 6ms/step" or
// " 950us/step".
func formatTime(sec float64, unit string) string {
	switch {
	case sec >= 1 || sec == 0:
		return fmt.Sprintf(" %.0fs/%s", sec, unit)
	case sec >= 1e-3:
		return fmt.Sprintf(" %.0fms/%s", sec*1e3, unit)
	default:
		return fmt.Sprintf(" %.0fus/%s", sec*1e6, unit)
	}
}

// formatETA formats a remaining time as "12s", "1:05" or "1:01:05".
func formatETA(eta float64) string {
	s := int(eta)
	switch {
	case eta > 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	case eta > 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	default:
		return fmt.Sprintf("%ds", s)
	}
}
