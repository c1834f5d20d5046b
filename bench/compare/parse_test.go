package main

import (
	"bufio"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSplitLines(t *testing.T) {
	in := "Model: sequential\n10/79 [==>....] - 0s\r79/79 [======] - 0s 2ms/step\nTest accuracy: 0.9801\nlast"
	sc := bufio.NewScanner(strings.NewReader(in))
	sc.Split(splitLines)
	var got []string
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	want := []string{"Model: sequential", "10/79 [==>....] - 0s", "79/79 [======] - 0s 2ms/step", "Test accuracy: 0.9801", "last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseGokerasEpoch(t *testing.T) {
	for _, tc := range []struct {
		text      string
		ok        bool
		loss, acc float64
	}{
		{"469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - 3s/epoch - 6ms/step", true, 0.2571, 0.9257},
		{"469/469 - 12s - loss: 2.5000e-02 - accuracy: 0.9930 - 12s/epoch - 26ms/step", true, 0.025, 0.993},
		{"469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - val_loss: 4.0000e-04 - val_accuracy: 1.0000 - 3s/epoch - 6ms/step", true, 0.2571, 0.9257},
		{"  9/9 - 0s - loss: 0.5 - accuracy: 0.5 - 120ms/epoch - 13ms/step", true, 0.5, 0.5},
		// Evaluate's progress bar, the summary, the test line: not epochs.
		{"79/79 [==============================] - 0s 2ms/step - loss: 0.0700 - accuracy: 0.9801", false, 0, 0},
		{"Total params: 407,050", false, 0, 0},
		{"Test accuracy: 0.9801", false, 0, 0},
		{"469/469 - 3s - loss: nope - accuracy: 0.9257 - 3s/epoch - 6ms/step", false, 0, 0},
	} {
		e, ok := parseGokerasEpoch(tc.text)
		if ok != tc.ok || e.loss != tc.loss || e.accuracy != tc.acc || e.epoch != 0 {
			t.Errorf("parseGokerasEpoch(%q) = %+v, %v; want loss %v accuracy %v, %v", tc.text, e, ok, tc.loss, tc.acc, tc.ok)
		}
	}
}

func TestParseTorchEpoch(t *testing.T) {
	e, ok := parseTorchEpoch("epoch 3/5 loss 0.0712 accuracy 0.9788")
	if !ok || e.epoch != 3 || e.loss != 0.0712 || e.accuracy != 0.9788 {
		t.Errorf("got %+v, %v", e, ok)
	}
	for _, bad := range []string{
		"epoch 3/5 loss 0.0712",
		"Epoch 3/5",
		"train 60000 images, 469 steps of 128 per epoch",
		"epoch x/5 loss 0.1 accuracy 0.9",
		"469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - 3s/epoch - 6ms/step",
	} {
		if e, ok := parseTorchEpoch(bad); ok {
			t.Errorf("parseTorchEpoch(%q) = %+v, want no match", bad, e)
		}
	}
}

func TestParseTestAccuracy(t *testing.T) {
	if v, ok := parseTestAccuracy("Test accuracy: 0.9801"); !ok || v != 0.9801 {
		t.Errorf("got %v, %v; want 0.9801", v, ok)
	}
	for _, bad := range []string{"Test accuracy: 1.5", "Test accuracy: -0.1", "Test accuracy: NaN", "Test accuracy:", "test accuracy: 0.98", "Test loss: 0.07"} {
		if v, ok := parseTestAccuracy(bad); ok {
			t.Errorf("parseTestAccuracy(%q) = %v, want no match", bad, v)
		}
	}
}

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func TestParseTranscriptGokeras(t *testing.T) {
	lines := []line{
		{sec(0.5), "Model: \"sequential\""},
		{sec(0.6), "Total params: 407,050"},
		{sec(0.6), ""}, // blank lines do not move the start
		{sec(4.0), "469/469 - 3s - loss: 0.2571 - accuracy: 0.9257 - 3s/epoch - 7ms/step"},
		{sec(7.1), "469/469 - 3s - loss: 0.1000 - accuracy: 0.9700 - 3s/epoch - 6ms/step"},
		{sec(10.3), "469/469 - 3s - loss: 0.0700 - accuracy: 0.9790 - 3s/epoch - 6ms/step"},
		{sec(10.5), "79/79 [==============================] - 0s 2ms/step - loss: 0.0700 - accuracy: 0.9801"},
		{sec(10.5), "Test accuracy: 0.9801"},
	}
	tr, err := parseTranscript(lines, parseGokerasEpoch, 3)
	if err != nil {
		t.Fatal(err)
	}
	if tr.start != sec(0.6) || tr.testAccuracy != 0.9801 || tr.epochs[2].loss != 0.07 {
		t.Errorf("got %+v", tr)
	}
	d := tr.durations()
	want := []float64{3.4, 3.1, 3.2}
	for i := range want {
		if math.Abs(d[i].Seconds()-want[i]) > 1e-9 {
			t.Errorf("durations %v, want %v", d, want)
			break
		}
	}
	s, warm := secondsPerEpoch(d)
	if warm || math.Abs(s-3.15) > 1e-9 {
		t.Errorf("secondsPerEpoch = %v, %v; want 3.15 (median of epochs 2..3), false", s, warm)
	}

	if _, err := parseTranscript(lines, parseGokerasEpoch, 5); err == nil {
		t.Error("3 epoch lines accepted for 5 epochs")
	}
	if _, err := parseTranscript(lines[:6], parseGokerasEpoch, 3); err == nil {
		t.Error("transcript without a test accuracy accepted")
	}
}

func TestParseTranscriptTorch(t *testing.T) {
	lines := []line{
		{sec(1.0), "torch 1.13.0 threads 2 numpy 1.24.2"},
		{sec(2.0), "train 60000 images, 469 steps of 128 per epoch"},
		{sec(3.5), "epoch 1/1 loss 0.2571 accuracy 0.9257"},
		{sec(3.6), "Test accuracy: 0.9701"},
	}
	tr, err := parseTranscript(lines, parseTorchEpoch, 1)
	if err != nil {
		t.Fatal(err)
	}
	s, warm := secondsPerEpoch(tr.durations())
	if !warm || math.Abs(s-1.5) > 1e-9 || tr.testAccuracy != 0.9701 {
		t.Errorf("one epoch: %v s, warm %v, accuracy %v; want 1.5 s from the train line, warm, 0.9701", s, warm, tr.testAccuracy)
	}

	swapped := []line{
		{sec(1), "epoch 2/2 loss 0.1 accuracy 0.9"},
		{sec(2), "epoch 1/2 loss 0.1 accuracy 0.9"},
		{sec(3), "Test accuracy: 0.97"},
	}
	if _, err := parseTranscript(swapped, parseTorchEpoch, 2); err == nil {
		t.Error("out-of-order epochs accepted")
	}
	early := []line{{sec(1), "Test accuracy: 0.97"}, {sec(2), "epoch 1/1 loss 0.1 accuracy 0.9"}}
	if _, err := parseTranscript(early, parseTorchEpoch, 1); err == nil {
		t.Error("test accuracy before training accepted")
	}
}

func TestDurationsWithoutStartLine(t *testing.T) {
	tr := transcript{start: -1, ends: []time.Duration{sec(2), sec(5)}}
	d := tr.durations()
	if d[0] != sec(2) || d[1] != sec(3) {
		t.Errorf("durations %v, want [2s 3s]", d)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 9, 1, 1}, 2},
	} {
		in := append([]float64(nil), tc.in...)
		if got := median(in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.in[i] {
				t.Errorf("median reordered its input: %v", in)
			}
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(maxOf(nil)) {
		t.Error("median or maxOf of nothing is not NaN")
	}
	if got := maxOf([]float64{1, 7, 3}); got != 7 {
		t.Errorf("maxOf = %v, want 7", got)
	}
	if s, _ := secondsPerEpoch(nil); !math.IsNaN(s) {
		t.Errorf("secondsPerEpoch(nil) = %v, want NaN", s)
	}
}

func TestRatiosAndFormatting(t *testing.T) {
	r := ratios([]float64{6, 9, 10}, []float64{3, 3})
	if len(r) != 2 || r[0] != 2 || r[1] != 3 {
		t.Errorf("ratios = %v, want [2 3]", r)
	}
	if got := joinFormatted([]float64{2.104, 0.5, math.NaN(), math.Inf(1)}, formatRatio); got != "2.10×, 0.50×, –, –" {
		t.Errorf("joinFormatted = %q", got)
	}
	if got := formatFloat(3.14159, 2); got != "3.14" {
		t.Errorf("formatFloat = %q", got)
	}
	if got := formatFloat(math.NaN(), 2); got != "–" {
		t.Errorf("formatFloat(NaN) = %q", got)
	}
}

func TestMarkdownTable(t *testing.T) {
	got := markdownTable([]string{"name", "s"}, "lr", [][]string{{"gokeras", "3.1"}, {"PyTorch", "12.25"}, {"x"}})
	want := "" +
		"| name    |     s |\n" +
		"| ------- | ----: |\n" +
		"| gokeras |   3.1 |\n" +
		"| PyTorch | 12.25 |\n" +
		"| x       |       |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Non-ASCII cells pad by runes, not bytes.
	got = markdownTable([]string{"r"}, "l", [][]string{{"2.00×"}, {"1"}})
	if !strings.Contains(got, "| 2.00× |\n| 1     |") {
		t.Errorf("rune padding wrong:\n%s", got)
	}
}

func TestSummaryTable(t *testing.T) {
	run := func(impl string, pair int, wall, perEpoch, acc float64, kib int64) runResult {
		return runResult{impl: impl, pair: pair, wall: sec(wall), secPer: perEpoch, testAcc: acc, maxRSSKiB: kib}
	}
	results := []runResult{
		run("gokeras", 1, 20, 3.0, 0.9801, 400*1024),
		run("PyTorch", 1, 10, 1.5, 0.9790, 300*1024),
		run("gokeras", 2, 30, 3.2, 0.9805, 410*1024),
		run("PyTorch", 2, 10, 1.6, 0.9795, 320*1024),
		run("gokeras", 3, 24, 3.1, 0.9799, 405*1024),
		run("PyTorch", 3, 12, 1.55, 0.9780, 310*1024),
	}
	got := summaryTable(results, 5, "PyTorch 1.13, 2 threads")
	for _, want := range []string{
		"s/epoch (median, epochs 2–5)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary table lacks %q:\n%s", want, got)
		}
	}
	rows := map[string][]string{}
	for l := range strings.Lines(got) {
		var cells []string
		for _, c := range strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows[cells[0]] = cells
	}
	for name, want := range map[string][]string{
		"gokeras":                 {"3.10", "24.00", "410", "0.9801, 0.9805, 0.9799"},
		"PyTorch 1.13, 2 threads": {"1.55", "10.00", "320", "0.9790, 0.9795, 0.9780"},
		// s/epoch 3.1/1.55; wall ratios 2, 3, 2 → median 2; memory 410/320.
		"gokeras/PyTorch": {"2.00×", "2.00× (per pair: 2.00×, 3.00×, 2.00×)", "1.28×", ""},
	} {
		if strings.Join(rows[name][1:], "|") != strings.Join(want, "|") {
			t.Errorf("row %s = %q, want %q", name, rows[name], want)
		}
	}
	if n := strings.Count(got, "\n"); n != 5 {
		t.Errorf("summary table has %d lines, want 5 (header, rule, 2 implementations, ratio):\n%s", n, got)
	}

	alone := summaryTable(results[:1], 1, "PyTorch")
	if strings.Contains(alone, "gokeras/PyTorch") || !strings.Contains(alone, "epoch 1, with warm-up") {
		t.Errorf("gokeras-only one-epoch table wrong:\n%s", alone)
	}
}

func TestParseGemmLine(t *testing.T) {
	r, ok := parseGemmLine("gemm 5 784 512 128 183.378\n")
	if !ok || r != (gemmResult{i: 5, m: 784, n: 512, k: 128, gflops: 183.378}) {
		t.Errorf("got %+v, %v", r, ok)
	}
	for _, bad := range []string{"gemm 5 784 512 128", "gemm 5 784 512 0 1.0", "gemm 5 784 512 128 -1", "blas openblas", "gemm a 784 512 128 1"} {
		if _, ok := parseGemmLine(bad); ok {
			t.Errorf("parseGemmLine(%q) accepted", bad)
		}
	}
}

func TestParseKeyValues(t *testing.T) {
	kv := parseKeyValues("python 3.11.2 /usr/bin/python3\nnumpy 1.24.2\ntorch missing\n\nthreads 2\nthreads 9\n")
	if kv["python"] != "3.11.2 /usr/bin/python3" || kv["numpy"] != "1.24.2" || kv["torch"] != "missing" || kv["threads"] != "2" {
		t.Errorf("got %v", kv)
	}
	p := &pythonInfo{kv: kv}
	if !p.hasNumpy() || p.hasTorch() {
		t.Errorf("hasNumpy %v hasTorch %v, want true false", p.hasNumpy(), p.hasTorch())
	}
}

func TestMachineParsing(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14 96-Core Processor\nprocessor\t: 1\nmodel name\t: other\n"
	if got := cpuModel(cpuinfo); got != "AMD EPYC 9R14 96-Core Processor" {
		t.Errorf("cpuModel = %q", got)
	}
	ld := "\t1234 libs found in cache `/etc/ld.so.cache'\n" +
		"\tlibblas.so.3 (libc6) => /lib/i386-linux-gnu/libblas.so.3\n" +
		"\tlibblas.so.3 (libc6,x86-64) => /lib/x86_64-linux-gnu/libblas.so.3\n" +
		"\tlibblas.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libblas.so\n"
	if got := ldconfigBLAS(ld); got != "/lib/x86_64-linux-gnu/libblas.so.3" {
		t.Errorf("ldconfigBLAS = %q", got)
	}
	if !isOpenBLAS("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3") || isOpenBLAS("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3") {
		t.Error("isOpenBLAS wrong")
	}
	if got := lastLines("a\nb\nc\nd\n", 2); got != "c\nd" {
		t.Errorf("lastLines = %q", got)
	}
}

func TestGemmOperandsAndCheck(t *testing.T) {
	// The stored layouts: lda/ldb are the stored row lengths.
	for _, s := range shapes {
		a, b, c, lda, ldb, ldc := s.operands(1)
		if len(a) != s.m*s.k || len(b) != s.k*s.n || len(c) != s.m*s.n || ldc != s.n {
			t.Errorf("%s: operand sizes wrong", s.name)
		}
		wantLda, wantLdb := s.k, s.n
		if s.transA {
			wantLda = s.m
		}
		if s.transB {
			wantLdb = s.k
		}
		if lda != wantLda || ldb != wantLdb {
			t.Errorf("%s: lda %d ldb %d, want %d %d", s.name, lda, ldb, wantLda, wantLdb)
		}
	}
	// A deliberately wrong sgemm (ignores transA) must be caught.
	wrong := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		gonumSgemm(false, transB, m, n, k, alpha, a, k, b, ldb, beta, c, ldc)
	}
	if d := maxRelDiff(wrong, gonumSgemm, shapes[2]); d < 1e-2 {
		t.Errorf("wrong sgemm passed the check: rel diff %v", d)
	}
	if d := maxRelDiff(gonumSgemm, gonumSgemm, shapes[2]); d != 0 {
		t.Errorf("gonum against itself: rel diff %v", d)
	}
}

func TestBLASWarning(t *testing.T) {
	const open = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"
	const ref = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"
	for _, tc := range []struct {
		resolved, loaded string
		usesBLAS, warn   bool
	}{
		{open, open + " (OpenBLAS 0.3.21, 2 threads)", true, false},
		{open, "unknown", true, false},
		{ref, ref, true, true},
		{ref, "", true, true},
		{open, ref, true, true}, // Python loaded something else than the alternative
		{"", "", true, true},
		{"", open, true, false},
		{ref, ref, false, false}, // no Python: nothing uses it
	} {
		w := blasWarning(tc.resolved, tc.loaded, tc.usesBLAS)
		if (w != "") != tc.warn {
			t.Errorf("blasWarning(%q, %q, %v) = %q, want warning %v", tc.resolved, tc.loaded, tc.usesBLAS, w, tc.warn)
		}
		if w != "" && (!strings.Contains(w, installHint) || !strings.Contains(w, "MEANINGLESS")) {
			t.Errorf("warning lacks the fix or the point: %q", w)
		}
	}
}
