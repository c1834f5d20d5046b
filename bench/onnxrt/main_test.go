package main

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/nn"
)

// TestMedianPercentile checks median and the nearest-rank 90th
// percentile against values worked by hand.
func TestMedianPercentile(t *testing.T) {
	for _, c := range []struct {
		xs          []float64
		median, p90 float64
	}{
		{[]float64{3}, 3, 3},
		{[]float64{4, 1}, 2.5, 4},                             // ceil(1.8) = 2nd
		{[]float64{5, 1, 3}, 3, 5},                            // ceil(2.7) = 3rd
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5.5, 9},    // ceil(9) = 9th
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10}, // ceil(9.9) = 10th
		{[]float64{0.75, 0.25, 0.25, 0.5}, 0.375, 0.75},       // ceil(3.6) = 4th
	} {
		in := append([]float64(nil), c.xs...)
		if got := median(c.xs); got != c.median {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.median)
		}
		if got := percentile(c.xs, 90); got != c.p90 {
			t.Errorf("percentile(%v, 90) = %v, want %v", c.xs, got, c.p90)
		}
		for i := range in {
			if in[i] != c.xs[i] {
				t.Fatalf("median or percentile reordered its argument: %v, was %v", c.xs, in)
			}
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(percentile(nil, 90)) {
		t.Error("median or percentile of nothing is not NaN")
	}
}

// TestSummarize: throughput is samples over the summed call times.
func TestSummarize(t *testing.T) {
	f := summarize(256, []float64{100, 300, 200, 400}) // 1024 samples in 1 s
	if f.calls != 4 || f.median != 250 || f.p90 != 400 || f.samplesPerSec != 1024 {
		t.Errorf("summarize = %+v, want 4 calls, median 250, p90 400, 1024 samples/s", f)
	}
}

// TestTables renders hand-made results: the runs table has a row per
// phase, and the summary takes medians over the pairs and the median of
// the per-pair time ratios.
func TestTables(t *testing.T) {
	res := func(side string, pair, batch int, med, p90, rate float64) runResult {
		return runResult{model: "mlp", side: side, pair: pair, batch: batch, fig: figures{calls: 10, median: med, p90: p90, samplesPerSec: rate}}
	}
	results := []runResult{
		res(gokerasName, 1, 1, 0.5, 0.6, 2000), res(gokerasName, 1, 256, 20, 22, 12800),
		res(ortName, 1, 1, 0.25, 0.3, 4000), res(ortName, 1, 256, 10, 11, 25600),
		res(gokerasName, 2, 1, 0.7, 0.9, 1400), res(gokerasName, 2, 256, 21, 23, 12190),
		res(ortName, 2, 1, 0.2, 0.25, 5000), res(ortName, 2, 256, 12, 13, 21333),
		res(gokerasName, 3, 1, 0.6, 0.8, 1700), res(gokerasName, 3, 256, 30, 35, 8533),
		res(ortName, 3, 1, 0.3, 0.4, 3300), res(ortName, 3, 256, 10, 10.5, 25600),
	}
	// Per pair, gokeras's median over ONNX Runtime's: batch 1: 2, 3.5, 2;
	// batch 256: 2, 1.75, 3; median 2 both. The other cells are medians of
	// three: batch 1's gokeras medians 0.5, 0.7, 0.6 give 0.6, and so on.
	want := "" +
		"| model | batch | gokeras ms (median, p90) | ORT ms (median, p90) | gokeras samples/s | ORT samples/s | gokeras/ORT time |\n" +
		"| ----- | ----: | -----------------------: | -------------------: | ----------------: | ------------: | ---------------: |\n" +
		"| mlp   |     1 |             0.600, 0.800 |         0.250, 0.300 |              1700 |          4000 |            2.00× |\n" +
		"| mlp   |   256 |               21.0, 23.0 |           10.0, 11.0 |             12190 |         25600 |            2.00× |\n"
	if got := summaryTable(results); got != want {
		t.Errorf("summary table:\n%s\nwant:\n%s", got, want)
	}
	runs := runsTable(results)
	if lines := strings.Count(runs, "\n"); lines != 2+len(results) {
		t.Errorf("runs table has %d lines, want %d:\n%s", lines, 2+len(results), runs)
	}
	if !strings.Contains(runs, "| mlp   |   256 |    3 | ONNX Runtime |    10 |      10.0 |   10.5 |     25600 |\n") {
		t.Errorf("runs table lacks pair 3's ONNX Runtime batch-256 row:\n%s", runs)
	}
	// A side that did not run (ORT failed at once) leaves dashes, not zeros.
	only := summaryTable(results[:2])
	if !strings.Contains(only, "| mlp   |     1 |             0.500, 0.600 |                    – |              2000 |             – |                – |") {
		t.Errorf("gokeras-only summary:\n%s", only)
	}
}

// TestFormatMS checks the significant digits kept.
func TestFormatMS(t *testing.T) {
	for x, want := range map[float64]string{0.01234: "0.0123", 0.1234: "0.123", 1.234: "1.23", 12.34: "12.3", 123.4: "123", math.NaN(): "–"} {
		if got := formatMS(x); got != want {
			t.Errorf("formatMS(%v) = %q, want %q", x, got, want)
		}
	}
}

// TestModelsNamed: the list's order, unknown and repeated names refused
// with the choices named.
func TestModelsNamed(t *testing.T) {
	ms, err := modelsNamed("residual, mlp")
	if err != nil || len(ms) != 2 || ms[0].name != "residual" || ms[1].name != "mlp" {
		t.Errorf("modelsNamed(residual, mlp) = %v, %v", ms, err)
	}
	if _, err := modelsNamed("mlp,lenet"); err == nil || !strings.Contains(err.Error(), `"lenet"`) || !strings.Contains(err.Error(), "convnet") {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := modelsNamed("mlp,mlp"); err == nil {
		t.Error("a repeated model is accepted")
	}
}

// TestMaxAbsDiff: the largest difference, and errors for a difference
// over the tolerance, NaN and a length mismatch.
func TestMaxAbsDiff(t *testing.T) {
	const eps = 1.0 / (1 << 17) // 7.6e-6, exact in float32 near 0.25
	if d, err := maxAbsDiff([]float64{0.5, 0.25}, []float32{0.5, 0.25 + eps}); err != nil || d != eps {
		t.Errorf("within tolerance: %v, %v", d, err)
	}
	if _, err := maxAbsDiff([]float64{0.5, 0.25}, []float32{0.5, 0.25 + 3e-5}); err == nil || !strings.Contains(err.Error(), "value 1") {
		t.Errorf("3e-5 apart: %v", err)
	}
	if _, err := maxAbsDiff([]float64{math.NaN()}, []float32{0}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := maxAbsDiff([]float64{1}, []float32{1, 2}); err == nil {
		t.Error("lengths 1 and 2 accepted")
	}
}

// TestImages: 80% zeros, the rest in [0, 1), the same for the same seed.
func TestImages(t *testing.T) {
	v := images(100000, 1)
	zeros := 0
	for _, x := range v {
		if x == 0 {
			zeros++
		} else if x < 0 || x >= 1 {
			t.Fatalf("value %v outside [0, 1)", x)
		}
	}
	if f := float64(zeros) / float64(len(v)); math.Abs(f-0.8) > 0.01 {
		t.Errorf("%.3f zeros, want 0.8", f)
	}
	w := images(100000, 1)
	for i := range v {
		if v[i] != w[i] {
			t.Fatalf("seed 1 gave %v then %v at %d", v[i], w[i], i)
		}
	}
}

// TestNoNode: without node the error says how to install the runtime.
func TestNoNode(t *testing.T) {
	t.Setenv("PATH", "")
	if _, err := findORT(t.TempDir(), t.TempDir()); err == nil || !strings.Contains(err.Error(), installHint) {
		t.Errorf("no node: %v", err)
	}
}

// TestNoRuntime: with node but no .ort under the root, the error names
// node's complaint and says how to install the runtime.
func TestNoRuntime(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node in PATH")
	}
	_, err := findORT(t.TempDir(), t.TempDir())
	if err == nil {
		t.Skip("onnxruntime-node is installed where node finds it without NODE_PATH")
	}
	if !strings.Contains(err.Error(), installHint) || !strings.Contains(err.Error(), "Cannot find module") {
		t.Errorf("no onnxruntime-node: %v", err)
	}
}

// TestCPUModel reads the first model name of /proc/cpuinfo's format.
func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: other\n"
	if got := cpuModel(info); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q, want AMD EPYC 7B13", got)
	}
	if got := cpuModel("processor\t: 0\n"); got != "" {
		t.Errorf("cpuModel without a model name = %q, want \"\"", got)
	}
}

// tinyModel is a small convnet with a batch normalisation: transposes,
// a convolution, pooling and a dense softmax on the ONNX side.
func tinyModel() (*nn.Model, error) {
	return nn.NewSequential(
		nn.Conv2D(3, [2]int{3, 3}, nn.ReLU, nn.Padding("same"), nn.InputShape(6, 5, 2)),
		nn.BatchNormalization(),
		nn.MaxPooling2D([2]int{2, 2}),
		nn.Flatten(),
		nn.Dense(4, nn.Softmax),
	), nil
}

// TestTinyModelAgrees runs a tiny model through the benchmark's own code:
// the agreement check (ONNX Runtime's outputs against Predict's within
// 1e-5) and a short timed run of both sides, whose call counts and
// figures it checks (not their values). Skipped without node or
// onnxruntime-node.
func TestTinyModelAgrees(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	o, err := findORT(root, t.TempDir())
	if err != nil {
		t.Skipf("ONNX Runtime side not available: %v", err)
	}
	if o.version == "unknown" || !strings.HasPrefix(o.nodeVersion, "v") {
		t.Errorf("onnxruntime-node version %q, node version %q", o.version, o.nodeVersion)
	}
	if _, err := os.Stat(o.script); err != nil {
		t.Fatal(err)
	}
	p, err := prepare("tiny", tinyModel, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	worst, err := agreement(o, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("max |ONNX Runtime − Predict| = %.3g", worst)

	pr := protocol{phases: []phase{{1, 2}, {rows, 1}}, seconds: 0, minCalls: 3}
	for _, side := range []string{gokerasName, ortName} {
		var ts []timing
		if side == gokerasName {
			ts, err = timeGokeras(p, pr)
		} else {
			ts, err = timeORT(o, p, pr)
		}
		if err != nil {
			t.Fatalf("%s: %v", side, err)
		}
		if len(ts) != 2 || ts[0].batch != 1 || ts[1].batch != rows {
			t.Fatalf("%s timed %+v, want batches 1 and %d", side, ts, rows)
		}
		for _, tm := range ts {
			f := summarize(tm.batch, tm.ms)
			if f.calls < pr.minCalls || !(f.median > 0) || f.p90 < f.median || !(f.samplesPerSec > 0) {
				t.Errorf("%s batch %d: %+v from %v", side, tm.batch, f, tm.ms)
			}
		}
	}

	// The check fails for a model whose export differs from Predict: the
	// ONNX file of another seed.
	other, err := prepare("tiny", tinyModel, 2, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other.m = p.m
	if _, err := agreement(o, other); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("weights of seed 2 against seed 1's Predict: %v", err)
	}
}
