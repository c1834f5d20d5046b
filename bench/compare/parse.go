package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// line is one line of a child's standard output and the time at which it
// appeared, measured from the child's start.
type line struct {
	at   time.Duration
	text string
}

// splitLines is a bufio.SplitFunc that ends a line at '\n' or '\r', since
// progress bars redraw themselves with '\r'. Empty lines are returned as
// empty tokens.
func splitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

var _ bufio.SplitFunc = splitLines

// epochLine is what an epoch-end line says: the epoch's number (0 where
// the line does not give it) and its mean loss and accuracy.
type epochLine struct {
	epoch    int
	loss     float64
	accuracy float64
}

// epochParser recognises the epoch-end lines of one implementation.
type epochParser func(text string) (epochLine, bool)

var (
	// gokerasEpochRE matches the line train.Verbose(2) prints at the end of
	// each epoch: "469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - 3s/epoch - 6ms/step".
	gokerasEpochRE = regexp.MustCompile(`^\s*\d+/\d+ - \S+ - .*\S+/epoch\b`)
	// gokerasLossRE and gokerasAccRE pick the training loss and accuracy
	// out of it (not the val_ ones).
	gokerasLossRE = regexp.MustCompile(`(?:^| )loss: (\S+)`)
	gokerasAccRE  = regexp.MustCompile(`(?:^| )accuracy: (\S+)`)
	// torchEpochRE matches torch_mnist.py's "epoch 1/5 loss 0.2571 accuracy 0.9257".
	torchEpochRE = regexp.MustCompile(`^epoch (\d+)/(\d+) loss (\S+) accuracy (\S+)\s*$`)
	// testAccuracyRE matches both programs' final "Test accuracy: 0.9801".
	testAccuracyRE = regexp.MustCompile(`^Test accuracy: (\S+)\s*$`)
)

// parseGokerasEpoch recognises gokeras's per-epoch line (examples/mnist
// with -verbose 2). That line carries no epoch number.
func parseGokerasEpoch(text string) (epochLine, bool) {
	if !gokerasEpochRE.MatchString(text) {
		return epochLine{}, false
	}
	lm := gokerasLossRE.FindStringSubmatch(text)
	am := gokerasAccRE.FindStringSubmatch(text)
	if lm == nil || am == nil {
		return epochLine{}, false
	}
	loss, err1 := strconv.ParseFloat(lm[1], 64)
	acc, err2 := strconv.ParseFloat(am[1], 64)
	if err1 != nil || err2 != nil {
		return epochLine{}, false
	}
	return epochLine{loss: loss, accuracy: acc}, true
}

// parseTorchEpoch recognises torch_mnist.py's per-epoch line.
func parseTorchEpoch(text string) (epochLine, bool) {
	m := torchEpochRE.FindStringSubmatch(text)
	if m == nil {
		return epochLine{}, false
	}
	epoch, err1 := strconv.Atoi(m[1])
	loss, err2 := strconv.ParseFloat(m[3], 64)
	acc, err3 := strconv.ParseFloat(m[4], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return epochLine{}, false
	}
	return epochLine{epoch: epoch, loss: loss, accuracy: acc}, true
}

// parseTestAccuracy recognises the final "Test accuracy: 0.9801" line; the
// value must lie in [0, 1].
func parseTestAccuracy(text string) (float64, bool) {
	m := testAccuracyRE.FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || !(v >= 0 && v <= 1) {
		return 0, false
	}
	return v, true
}

// transcript is what one training run printed, as far as the comparison
// cares.
type transcript struct {
	// start is when the last line before the first epoch line appeared
	// (gokeras: the end of the model summary; PyTorch: its "train ..."
	// line), or -1 where there was none.
	start time.Duration
	// ends holds when each epoch-end line appeared; epochs what it said.
	ends   []time.Duration
	epochs []epochLine
	// testAccuracy is the final test accuracy.
	testAccuracy float64
}

// parseTranscript reads the timestamped stdout of one run. It fails unless
// there are exactly wantEpochs epoch lines (numbered 1, 2, … where the
// format numbers them) and a test accuracy after them.
func parseTranscript(lines []line, parse epochParser, wantEpochs int) (transcript, error) {
	t := transcript{start: -1}
	haveTest := false
	var prev time.Duration = -1
	for _, l := range lines {
		if e, ok := parse(l.text); ok {
			if len(t.ends) == 0 {
				t.start = prev
			}
			if e.epoch != 0 && e.epoch != len(t.ends)+1 {
				return t, fmt.Errorf("epoch line %q out of order: want epoch %d", l.text, len(t.ends)+1)
			}
			t.ends = append(t.ends, l.at)
			t.epochs = append(t.epochs, e)
			continue
		}
		if v, ok := parseTestAccuracy(l.text); ok {
			if len(t.ends) == 0 {
				return t, fmt.Errorf("test accuracy printed before any epoch line")
			}
			t.testAccuracy, haveTest = v, true
			continue
		}
		if strings.TrimSpace(l.text) != "" {
			prev = l.at
		}
	}
	if len(t.ends) != wantEpochs {
		return t, fmt.Errorf("found %d epoch lines, want %d", len(t.ends), wantEpochs)
	}
	if !haveTest {
		return t, fmt.Errorf("no \"Test accuracy: …\" line")
	}
	return t, nil
}

// durations returns how long each epoch took: the first from the start
// line (or the process start, where there is none), the others between
// consecutive epoch-end lines.
func (t transcript) durations() []time.Duration {
	d := make([]time.Duration, len(t.ends))
	prev := max(t.start, 0)
	for i, at := range t.ends {
		d[i] = at - prev
		prev = at
	}
	return d
}

// secondsPerEpoch returns the median of the epoch durations in seconds,
// leaving out the first epoch (warm-up: first touches of memory, caches,
// thread pools) where there are at least two. warm reports that the first
// epoch had to be used.
func secondsPerEpoch(d []time.Duration) (sec float64, warm bool) {
	if len(d) == 0 {
		return math.NaN(), false
	}
	if len(d) == 1 {
		return d[0].Seconds(), true
	}
	s := make([]float64, 0, len(d)-1)
	for _, x := range d[1:] {
		s = append(s, x.Seconds())
	}
	return median(s), false
}

// median returns the median of xs (the mean of the two middle values for
// an even count), or NaN for none. xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// maxOf returns the largest of xs, or NaN for none.
func maxOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}

// ratios returns a[i]/b[i] for the pairs both slices have.
func ratios(a, b []float64) []float64 {
	n := min(len(a), len(b))
	r := make([]float64, n)
	for i := range n {
		r[i] = a[i] / b[i]
	}
	return r
}

// formatFloat formats x with the given decimals, or "–" for NaN.
func formatFloat(x float64, decimals int) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', decimals, 64)
}

// formatRatio formats a ratio as "2.10×", or "–" for NaN or ±Inf.
func formatRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "×"
}

// joinFormatted formats each of xs with f and joins them with ", ".
func joinFormatted(xs []float64, f func(float64) string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = f(x)
	}
	return strings.Join(s, ", ")
}

// markdownTable renders a markdown table with the columns padded to a
// common width. align holds one byte per column: 'l' or 'r'. Rows shorter
// than the header are padded with empty cells.
func markdownTable(header []string, align string, rows [][]string) string {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = max(3, displayWidth(h))
	}
	for _, r := range rows {
		for i := 0; i < len(header) && i < len(r); i++ {
			width[i] = max(width[i], displayWidth(r[i]))
		}
	}
	var b strings.Builder
	cell := func(i int, s string) {
		pad := strings.Repeat(" ", width[i]-displayWidth(s))
		if i < len(align) && align[i] == 'r' {
			b.WriteString(" " + pad + s + " |")
		} else {
			b.WriteString(" " + s + pad + " |")
		}
	}
	b.WriteString("|")
	for i, h := range header {
		cell(i, h)
	}
	b.WriteString("\n|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("|")
		for i := range header {
			s := ""
			if i < len(r) {
				s = r[i]
			}
			cell(i, s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// displayWidth is the number of runes in s, a good enough column width for
// the tables here (no wide characters).
func displayWidth(s string) int { return len([]rune(s)) }

// gemmResult is one line of `torch_mnist.py --gemm`:
// "gemm <i> <m> <n> <k> <GFLOP/s>".
type gemmResult struct {
	i, m, n, k int
	gflops     float64
}

// parseGemmLine parses one "gemm i m n k gflops" line.
func parseGemmLine(text string) (gemmResult, bool) {
	f := strings.Fields(text)
	if len(f) != 6 || f[0] != "gemm" {
		return gemmResult{}, false
	}
	var r gemmResult
	ints := []*int{&r.i, &r.m, &r.n, &r.k}
	for j, p := range ints {
		v, err := strconv.Atoi(f[j+1])
		if err != nil || v <= 0 {
			return gemmResult{}, false
		}
		*p = v
	}
	v, err := strconv.ParseFloat(f[5], 64)
	if err != nil || !(v > 0) {
		return gemmResult{}, false
	}
	r.gflops = v
	return r, true
}

// parseKeyValues reads "key value…" lines (torch_mnist.py --info) into a
// map; the value is the rest of the line after the first space. The first
// line with a key wins.
func parseKeyValues(text string) map[string]string {
	kv := map[string]string{}
	for l := range strings.Lines(text) {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		k, v, _ := strings.Cut(l, " ")
		if _, ok := kv[k]; !ok {
			kv[k] = strings.TrimSpace(v)
		}
	}
	return kv
}

// cpuModel returns the first "model name" of a /proc/cpuinfo text, or "".
func cpuModel(cpuinfo string) string {
	for l := range strings.Lines(cpuinfo) {
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// ldconfigBLAS returns the x86-64 path `ldconfig -p` gives for
// libblas.so.3, or "".
func ldconfigBLAS(out string) string {
	for l := range strings.Lines(out) {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "libblas.so.3 ") {
			continue
		}
		if _, path, ok := strings.Cut(l, "=> "); ok && strings.Contains(l, "x86-64") {
			return strings.TrimSpace(path)
		}
	}
	return ""
}

// isOpenBLAS reports whether a resolved library path is OpenBLAS's.
func isOpenBLAS(path string) bool {
	return strings.Contains(strings.ToLower(path), "openblas")
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	ls := strings.Split(s, "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
