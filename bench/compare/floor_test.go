package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestShapesBatchDimension(t *testing.T) {
	for _, s := range shapes {
		r := s.withRows(96)
		dims := map[byte][2]int{'m': {s.m, r.m}, 'n': {s.n, r.n}, 'k': {s.k, r.k}}
		for d, v := range dims {
			if d == s.rows && (v[0] != 128 || v[1] != 96) {
				t.Errorf("%s: batch dimension %c is %d → %d, want 128 → 96", s.name, d, v[0], v[1])
			}
			if d != s.rows && v[0] != v[1] {
				t.Errorf("%s: withRows changed dimension %c (%d → %d)", s.name, d, v[0], v[1])
			}
		}
	}
}

func TestMLPEpochProducts(t *testing.T) {
	// Batch 128: 469 steps, 468 of 128 rows and one of 96. Per image the
	// five products take 2·(784·512 + 512·10 + 512·10 + 10·512 + 784·512)
	// = 1,636,352 flops, so the epoch 60000 × that = 98,181,120,000; a
	// full step 128 × that = 209,453,056.
	p := mlpEpochProducts(60000, 128)
	if p.steps != 469 || p.lastRows != 96 || p.stepFlops != 209453056 || p.total != 98181120000 {
		t.Errorf("batch 128: %d steps, last %d rows, %v flops/step, %v total; want 469, 96, 209453056, 98181120000",
			p.steps, p.lastRows, p.stepFlops, p.total)
	}
	// X·W₁ and Xᵀ·dZ₁: 60000·2·784·512; the three small ones 60000·2·512·10.
	want := []float64{48168960000, 614400000, 614400000, 614400000, 48168960000}
	if !slices.Equal(p.flops, want) {
		t.Errorf("per-shape flops %v, want %v", p.flops, want)
	}

	// 10 images in batches of 4: steps of 4, 4, 2; 2·10 flops per image
	// and unit of the other dimensions.
	small := mlpEpochProducts(10, 4)
	if small.steps != 3 || small.lastRows != 2 || small.total != 10*1636352 || small.stepFlops != 4*1636352 {
		t.Errorf("10 images by 4: %+v", small)
	}
	// A batch that divides the set: no short last step.
	if e := mlpEpochProducts(60000, 100); e.steps != 600 || e.lastRows != 100 || e.total != 98181120000 {
		t.Errorf("batch 100: %d steps, last %d, total %v", e.steps, e.lastRows, e.total)
	}
}

func TestFloorSeconds(t *testing.T) {
	p := mlpEpochProducts(60000, 128)
	rates := map[int]gemmResult{1: {gflops: 100}, 2: {gflops: 10}, 3: {gflops: 20}, 4: {gflops: 5}, 5: {gflops: 50}}
	// Time-weighted: 48.16896/100 + 0.6144/10 + 0.6144/20 + 0.6144/5 +
	// 48.16896/50 = 0.4816896 + 0.06144 + 0.03072 + 0.12288 + 0.9633792.
	// (98.18112 GFLOP at the mean rate, 37 GFLOP/s, would give 2.65 s.)
	sec, ok := floorSeconds(p.flops, rates)
	if !ok || math.Abs(sec-1.6601088) > 1e-12 {
		t.Errorf("floorSeconds = %v, %v; want 1.6601088, true", sec, ok)
	}
	delete(rates, 3)
	if sec, ok := floorSeconds(p.flops, rates); ok || !math.IsNaN(sec) {
		t.Errorf("a missing rate gave %v, %v", sec, ok)
	}
	rates[3] = gemmResult{gflops: 0}
	if _, ok := floorSeconds(p.flops, rates); ok {
		t.Error("a zero rate accepted")
	}
	if _, ok := floorSeconds(p.flops, nil); ok {
		t.Error("no rates accepted")
	}
}

func TestFloorText(t *testing.T) {
	p := mlpEpochProducts(60000, 128)
	rates := map[int]gemmResult{1: {gflops: 100}, 2: {gflops: 10}, 3: {gflops: 20}, 4: {gflops: 5}, 5: {gflops: 50}}
	got := floorText(p, rates, "", 3.32)
	for _, want := range []string{
		"469 steps of 128 rows (the last of 96)",
		"209.5 MFLOP",
		"= 98.18 GFLOP",
		"floor s/epoch at OpenBLAS speed: 1.660 ",
		"gokeras median s/epoch ÷ floor: 3.32 ÷ 1.660 = 2.00×", // 3.32/1.6601088 = 1.9999
	} {
		if !strings.Contains(got, want) {
			t.Errorf("floor text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "timed on the batch-128 shapes") {
		t.Errorf("batch-128 floor carries the other-batch note:\n%s", got)
	}
	if other := floorText(mlpEpochProducts(60000, 100), rates, "", 3); !strings.Contains(other, "600 steps of 100 rows ×") ||
		strings.Contains(other, "the last of") || !strings.Contains(other, "timed on the batch-128 shapes") {
		t.Errorf("batch-100 floor text wrong:\n%s", other)
	}

	none := floorText(p, nil, "-gemm=false", 3.32)
	if !strings.Contains(none, "OpenBLAS not measured (-gemm=false)") || strings.Contains(none, "÷ floor") || !strings.Contains(none, "98.18 GFLOP") {
		t.Errorf("unmeasured floor text wrong:\n%s", none)
	}
}

func TestModelNamed(t *testing.T) {
	for _, tc := range []struct {
		name, example string
		batch         int
	}{
		{"mlp", "./examples/mnist", 128},
		{"convnet", "./examples/convnet", 64},
	} {
		m, err := modelNamed(tc.name)
		if err != nil || m.name != tc.name || m.example != tc.example || m.batch != tc.batch {
			t.Errorf("modelNamed(%q) = %+v, %v; want %s, batch %d", tc.name, m, err, tc.example, tc.batch)
			continue
		}
		// The example is a real main package of the module (the test runs
		// in bench/compare).
		if _, err := os.Stat(filepath.Join("..", "..", m.example, "main.go")); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if models[0].name != "mlp" {
		t.Errorf("default model %q, want mlp", models[0].name)
	}
	for _, bad := range []string{"", "MLP", "cnn", "convnet "} {
		if m, err := modelNamed(bad); err == nil {
			t.Errorf("modelNamed(%q) = %+v, want an error", bad, m)
		}
	}
}

// flagValue returns the argument after name in args, or "".
func flagValue(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func TestImplementations(t *testing.T) {
	convnet, _ := modelNamed("convnet")
	c := config{model: convnet, batch: 64, epochs: 2, seed: 7}
	g, py := implementations(c, "/tmp/x/convnet", "/usr/bin/python3", "/m/bench/torch_mnist.py", "/data", "/m")
	for _, tc := range []struct {
		args       []string
		flag, want string
	}{
		{g.args, "-batch", "64"}, {g.args, "-epochs", "2"}, {g.args, "-seed", "7"}, {g.args, "-data", "/data"}, {g.args, "-verbose", "2"},
		{py.args, "--model", "convnet"}, {py.args, "--batch", "64"}, {py.args, "--epochs", "2"}, {py.args, "--seed", "7"}, {py.args, "--data", "/data"},
	} {
		if got := flagValue(tc.args, tc.flag); got != tc.want {
			t.Errorf("%s %s = %q, want %q (args %q)", tc.args[0], tc.flag, got, tc.want, tc.args)
		}
	}
	if g.path != "/tmp/x/convnet" || py.path != "/usr/bin/python3" || py.args[1] != "/m/bench/torch_mnist.py" || g.dir != "/m" {
		t.Errorf("paths wrong: %+v %+v", g, py)
	}

	mlp, _ := modelNamed("mlp")
	g, py = implementations(config{model: mlp, batch: 32, epochs: 1, seed: 1}, "b", "p", "s", "", "/m")
	if flagValue(py.args, "--model") != "mlp" || flagValue(py.args, "--batch") != "32" || flagValue(g.args, "-batch") != "32" {
		t.Errorf("mlp at batch 32: gokeras %q, PyTorch %q", g.args, py.args)
	}
	if slices.Contains(g.args, "-data") {
		t.Errorf("gokeras gets -data without a data directory: %q", g.args)
	}
}
