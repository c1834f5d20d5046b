package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// mib converts a ru_maxrss in KiB to MiB, NaN where unknown.
func mib(kib int64) float64 {
	if kib < 0 {
		return math.NaN()
	}
	return float64(kib) / 1024
}

// rawTable renders one row per run, in the order run.
func rawTable(results []runResult) string {
	header := []string{"run", "implementation", "pair", "wall s", "each epoch s", "s/epoch", "peak RSS MiB", "last epoch loss", "last epoch accuracy", "test accuracy"}
	rows := make([][]string, len(results))
	for i, r := range results {
		each := make([]float64, len(r.epochs))
		for j, d := range r.epochs {
			each[j] = d.Seconds()
		}
		rows[i] = []string{
			strconv.Itoa(i + 1), r.impl, strconv.Itoa(r.pair),
			formatFloat(r.wall.Seconds(), 2),
			joinFormatted(each, func(x float64) string { return formatFloat(x, 2) }),
			formatFloat(r.secPer, 2),
			formatFloat(mib(r.maxRSSKiB), 0),
			formatFloat(r.lastEpoch.loss, 4),
			formatFloat(r.lastEpoch.accuracy, 4),
			formatFloat(r.testAcc, 4),
		}
	}
	return markdownTable(header, "llrrlrrrrr", rows)
}

// implStats is one implementation's figures over its runs.
type implStats struct {
	secPer  []float64 // seconds per epoch, per run
	wall    []float64 // whole-process seconds, per run
	wallBy  map[int]float64
	rss     []float64 // MiB, per run
	testAcc []float64
}

// collect groups results by implementation.
func collect(results []runResult) map[string]*implStats {
	m := map[string]*implStats{}
	for _, r := range results {
		s := m[r.impl]
		if s == nil {
			s = &implStats{wallBy: map[int]float64{}}
			m[r.impl] = s
		}
		s.secPer = append(s.secPer, r.secPer)
		s.wall = append(s.wall, r.wall.Seconds())
		s.wallBy[r.pair] = r.wall.Seconds()
		s.rss = append(s.rss, mib(r.maxRSSKiB))
		s.testAcc = append(s.testAcc, r.testAcc)
	}
	return m
}

// pairRatios returns gokeras/PyTorch whole-process seconds for each pair
// both ran, in pair order.
func pairRatios(g, t *implStats) []float64 {
	var r []float64
	for _, pair := range slices.Sorted(maps.Keys(g.wallBy)) {
		if b, ok := t.wallBy[pair]; ok {
			r = append(r, g.wallBy[pair]/b)
		}
	}
	return r
}

// summaryTable renders the medians per implementation and, where both
// ran, the gokeras/PyTorch ratios. torchName labels the PyTorch row.
func summaryTable(results []runResult, epochs int, torchName string) string {
	perEpoch := fmt.Sprintf("s/epoch (median, epochs 2–%d)", epochs)
	switch epochs {
	case 1:
		perEpoch = "s/epoch (epoch 1, with warm-up)"
	case 2:
		perEpoch = "s/epoch (epoch 2)"
	}
	header := []string{"implementation", perEpoch, "wall s (median)", "peak RSS MiB (max)", "test accuracy per run"}
	acc := func(x float64) string { return formatFloat(x, 4) }
	stats := collect(results)
	var rows [][]string
	for _, name := range []string{"gokeras", "PyTorch"} {
		s := stats[name]
		if s == nil {
			continue
		}
		label := name
		if name == "PyTorch" {
			label = torchName
		}
		rows = append(rows, []string{
			label,
			formatFloat(median(s.secPer), 2),
			formatFloat(median(s.wall), 2),
			formatFloat(maxOf(s.rss), 0),
			joinFormatted(s.testAcc, acc),
		})
	}
	g, t := stats["gokeras"], stats["PyTorch"]
	if g != nil && t != nil {
		pr := pairRatios(g, t)
		rows = append(rows, []string{
			"gokeras/PyTorch",
			formatRatio(median(g.secPer) / median(t.secPer)),
			formatRatio(median(pr)) + " (per pair: " + joinFormatted(pr, formatRatio) + ")",
			formatRatio(maxOf(g.rss) / maxOf(t.rss)),
			"",
		})
	}
	return markdownTable(header, "lrrrl", rows)
}

// floorText renders the MLP's matrix-product floor under its summary: the
// flops of products 1–5 over an epoch, the seconds they would take at
// OpenBLAS's measured GFLOP/s on each shape, and gokeras's median s/epoch
// over that. openblas nil: not measured, for the reason why.
func floorText(p epochProducts, openblas map[int]gemmResult, why string, gokerasSecPer float64) string {
	var b strings.Builder
	steps := fmt.Sprintf("%d steps of %d rows", p.steps, p.batch)
	if p.lastRows != p.batch {
		steps += fmt.Sprintf(" (the last of %d)", p.lastRows)
	}
	fmt.Fprintf(&b, "Matrix-product floor: an epoch of %d images is %s × %s MFLOP per full step "+
		"(products 1–5 of the GEMM table, 2·m·n·k each; 6, the images' gradient, is never computed) = %s GFLOP.\n\n",
		p.images, steps, formatFloat(p.stepFlops/1e6, 1), formatFloat(p.total/1e9, 2))
	sec, ok := floorSeconds(p.flops, openblas)
	if !ok {
		if why == "" {
			why = "no OpenBLAS figures"
		}
		fmt.Fprintf(&b, "- floor s/epoch at OpenBLAS speed: OpenBLAS not measured (%s), so no floor\n", why)
		return b.String()
	}
	note := ""
	if p.batch != shapes[0].m {
		note = fmt.Sprintf("; OpenBLAS was timed on the batch-%d shapes", shapes[0].m)
	}
	fmt.Fprintf(&b, "- floor s/epoch at OpenBLAS speed: %s (Σ over products 1–5 of its GFLOP ÷ OpenBLAS's GFLOP/s on that shape%s)\n",
		formatFloat(sec, 3), note)
	fmt.Fprintf(&b, "- gokeras median s/epoch ÷ floor: %s ÷ %s = %s\n",
		formatFloat(gokerasSecPer, 2), formatFloat(sec, 3), formatRatio(gokerasSecPer/sec))
	return b.String()
}
