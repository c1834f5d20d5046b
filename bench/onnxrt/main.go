// Command onnxrt measures gokeras's Predict against ONNX Runtime on the
// same models: each network is exported with onnx.Save and run by
// onnxruntime-node (ONNX Runtime's Node.js binding, CPU execution
// provider), and by gokeras in this process. From anywhere inside the
// module, run
//
//	go run ./bench/onnxrt [-models mlp,convnet,residual] [-pairs 3] [-seconds 3]
//
// The models, weights from seed 1 (batch normalisations get moving
// statistics other than 0 and 1 from a fixed seed, as training would, so
// that the agreement check below means something):
//
//   - mlp: the lesson's 784 → 512 ReLU → 10 softmax network;
//   - convnet: Chollet's MNIST convnet (examples/convnet);
//   - residual: examples/fashion's residual convnet with batch
//     normalisation.
//
// The inputs are 256 fixed-seed MNIST-like images, 80% zeros and the rest
// uniform in [0, 1). Both sides follow one protocol, per run:
//
//   - batch 1: 20 warm-up calls, then single-sample calls (cycling through
//     the 256 images) until at least 3 calls and -seconds seconds;
//   - batch 256: 3 warm-up calls, then calls on all 256 images until at
//     least 3 calls and -seconds seconds.
//
// Each call is timed alone, and all its input tensors are made before
// the loop. From a run's times come the median and 90th percentile
// (nearest rank) in ms and the throughput, samples over the summed call
// times. gokeras's call is
//
//	m.Predict(x, train.Verbose(0), train.BatchSize(256))
//
// on a model compiled once per model; ONNX Runtime's is an awaited
// session.run in ort_bench.js (embedded in this program and run by node
// as a subprocess), the session made with intraOpNumThreads 2,
// interOpNumThreads 1, graphOptimizationLevel "all" and executionMode
// "sequential". Each side's per-call overhead is counted, as a user would
// pay it: for Predict, checking the options, scanning the input for NaN
// and infinities, copying it into the graph's bound input and the output
// out of the graph into a new tensor; for ONNX Runtime, its Node.js
// binding and the promise of session.run.
//
// Before any timing, each model's outputs from both are compared, on the
// 256 images as one batch and on the first 4 alone: they must agree
// within 1e-5 (the largest difference is printed) or the program stops,
// since a benchmark of wrong answers is worthless.
//
// gokeras and ONNX Runtime then run alternately, -pairs times per model
// (gokeras, ONNX Runtime, gokeras, …), never at the same time. The program
// prints a machine line (CPU, GOMAXPROCS, Go, node and onnxruntime-node
// versions), a table of every run, and a markdown table of the medians
// over the pairs with the gokeras/ONNX Runtime time ratio (the median of
// the per-pair ratios of median times). gokeras uses GOMAXPROCS threads
// and ONNX Runtime 2: on a machine of more than 2 cores set GOMAXPROCS=2
// for a like-for-like comparison.
//
// It needs node (Node.js) on PATH and onnxruntime-node installed in the
// module root's .ort folder:
//
//	npm install --prefix .ort --ignore-scripts --no-audit --no-fund onnxruntime-node
//
// and exits non-zero, saying so, without them. A full default run takes
// about 2 sides × 2 batch sizes × 3 s × 3 pairs = 36 s per model, some two
// minutes for the three, and loads 2 cores: measure nothing else on the
// machine meanwhile.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/gokeras/gokeras/bench"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/onnx"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// installHint is how to install the ONNX Runtime side, from the module
// root.
const installHint = "npm install --prefix .ort --ignore-scripts --no-audit --no-fund onnxruntime-node"

// ortThreads is ONNX Runtime's intra-op thread count.
const ortThreads = 2

// rows is the number of input images, and the large batch.
const rows = 256

// checkSingles is how many images the agreement check also runs alone.
const checkSingles = 4

// tolerance is the largest difference allowed between the two sides'
// outputs.
const tolerance = 1e-5

//go:embed ort_bench.js
var ortScript []byte

// phase is one part of a run: warmup untimed calls on batches of batch
// images, then timed ones.
type phase struct {
	Batch  int `json:"batch"`
	Warmup int `json:"warmup"`
}

// protocol is what both sides do in one run.
type protocol struct {
	phases   []phase
	seconds  float64 // timed seconds per phase, at least
	minCalls int     // timed calls per phase, at least
}

// benchProtocol returns the benchmark's protocol for the given timed
// seconds per phase.
func benchProtocol(seconds float64) protocol {
	return protocol{phases: []phase{{1, 20}, {rows, 3}}, seconds: seconds, minCalls: 3}
}

// benchModel is one network the benchmark can run.
type benchModel struct {
	name  string // the -models value
	title string
	build func() (*nn.Model, error) // unbuilt
}

// benchModels are the networks -models accepts, in the order run.
var benchModels = []benchModel{
	{"mlp", "MLP 784-512-10", bench.MLP},
	{"convnet", "convnet (examples/convnet)", bench.Convnet},
	{"residual", "residual convnet (examples/fashion)", bench.Residual},
}

// modelsNamed returns the models a -models list names, in the list's
// order, each once.
func modelsNamed(list string) ([]benchModel, error) {
	var names []string
	for _, m := range benchModels {
		names = append(names, m.name)
	}
	var picked []benchModel
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.Index(names, name)
		if i < 0 {
			return nil, fmt.Errorf("unknown model %q in -models: want a comma-separated list of %s", name, strings.Join(names, ", "))
		}
		if slices.ContainsFunc(picked, func(m benchModel) bool { return m.name == name }) {
			return nil, fmt.Errorf("model %q named twice in -models", name)
		}
		picked = append(picked, benchModels[i])
	}
	return picked, nil
}

func main() {
	modelList := flag.String("models", "mlp,convnet,residual", "comma-separated models to run: mlp, convnet, residual")
	pairs := flag.Int("pairs", 3, "gokeras/ONNX Runtime run pairs per model (A B A B …)")
	seconds := flag.Float64("seconds", 3, "timed seconds per batch size per run, at least")
	flag.Parse()
	models, err := modelsNamed(*modelList)
	if err == nil && (*pairs < 1 || !(*seconds >= 0) || flag.NArg() > 0) {
		err = errors.New("-pairs must be ≥ 1, -seconds ≥ 0, and no arguments")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "onnxrt:", err)
		flag.Usage()
		os.Exit(2)
	}
	if err := run(models, *pairs, benchProtocol(*seconds), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "onnxrt:", err)
		os.Exit(1)
	}
}

// run does the whole benchmark, writing results to out and progress to
// log.
func run(models []benchModel, pairs int, p protocol, out, log io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gokeras-onnxrt-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	o, err := findORT(root, tmp)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, machineLine(o))

	var results []runResult
	for _, bm := range models {
		fmt.Fprintf(log, "%s: building, exporting, checking …\n", bm.name)
		pm, err := prepare(bm.name, bm.build, 1, tmp)
		if err != nil {
			return err
		}
		worst, err := agreement(o, pm)
		if err != nil {
			return fmt.Errorf("%s: %v", bm.name, err)
		}
		fmt.Fprintf(out, "%s: max |ONNX Runtime − Predict| = %.2g over %d rows as one batch and %d alone (limit %g)\n",
			bm.name, worst, rows, checkSingles, tolerance)
		for pair := 1; pair <= pairs; pair++ {
			for _, side := range []string{gokerasName, ortName} {
				fmt.Fprintf(log, "%s pair %d/%d: %s …\n", bm.name, pair, pairs, side)
				var ts []timing
				if side == gokerasName {
					ts, err = timeGokeras(pm, p)
				} else {
					ts, err = timeORT(o, pm, p)
				}
				if err != nil {
					return fmt.Errorf("%s, %s, pair %d: %v", bm.name, side, pair, err)
				}
				for _, t := range ts {
					results = append(results, runResult{model: bm.name, side: side, pair: pair, batch: t.batch, fig: summarize(t.batch, t.ms)})
				}
			}
		}
	}
	fmt.Fprintf(out, "\n## Runs\n\n%s", runsTable(results))
	fmt.Fprintf(out, "\n## gokeras Predict vs ONNX Runtime: medians over %d pair(s), ≥ %gs timed per batch size per run\n\n%s",
		pairs, p.seconds, summaryTable(results))
	fmt.Fprintf(out, "\nms: per call (one sample at batch 1, 256 at batch 256); samples/s: samples over the summed call times; "+
		"gokeras/ORT time: median over pairs of gokeras's median ms ÷ ONNX Runtime's.\n")
	return nil
}

// moduleRoot returns the gokeras module's root: the first directory
// upwards from the working directory whose go.mod declares it.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if first, _, _ := strings.Cut(string(b), "\n"); err == nil && strings.TrimSpace(first) == "module github.com/gokeras/gokeras" {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the gokeras module (no go.mod of github.com/gokeras/gokeras above the working directory): run from the checkout")
		}
		dir = parent
	}
}

// ortEnv is how to run ort_bench.js.
type ortEnv struct {
	node        string   // node's path
	env         []string // the environment, with NODE_PATH
	script      string   // ort_bench.js, written to a temporary directory
	dir         string   // where to write the runs' files
	nodeVersion string
	version     string // onnxruntime-node's
}

// findORT finds node and onnxruntime-node (in root/.ort/node_modules) and
// writes ort_bench.js to dir. Where either is missing the error says how
// to install it.
func findORT(root, dir string) (*ortEnv, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("no node (Node.js) in PATH: install it (apt-get install nodejs), then ONNX Runtime for Node from the module root:\n\n\t%s", installHint)
	}
	o := &ortEnv{node: node, dir: dir, env: append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".ort", "node_modules"))}
	probe := exec.Command(node, "-e", "process.stdout.write(process.version + '\\n' + require.resolve('onnxruntime-node'))")
	probe.Env = o.env
	b, err := probe.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime-node not found by %s with NODE_PATH=%s (%v: %s): install it from the module root (%s):\n\n\t%s",
			node, filepath.Join(root, ".ort", "node_modules"), err, errorLine(b), root, installHint)
	}
	version, main, _ := strings.Cut(string(b), "\n")
	o.nodeVersion = strings.TrimSpace(version)
	o.version = packageVersion(main)
	o.script = filepath.Join(dir, "ort_bench.js")
	if err := os.WriteFile(o.script, ortScript, 0o644); err != nil {
		return nil, err
	}
	return o, nil
}

// packageVersion returns the version in the package.json of the
// onnxruntime-node package holding file, "unknown" where none is found.
func packageVersion(file string) string {
	for dir := filepath.Dir(file); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		b, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			continue
		}
		var pkg struct{ Name, Version string }
		if json.Unmarshal(b, &pkg) == nil && pkg.Name == "onnxruntime-node" && pkg.Version != "" {
			return pkg.Version
		}
	}
	return "unknown"
}

// errorLine returns node's error message from its output: the first line
// naming an Error, else the first line.
func errorLine(b []byte) string {
	for l := range strings.Lines(string(b)) {
		if strings.Contains(l, "Error") {
			return strings.TrimSpace(l)
		}
	}
	return firstLine(b)
}

// firstLine returns b's first line, without surrounding space.
func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

// machineLine describes the machine and both sides' versions and threads.
func machineLine(o *ortEnv) string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := cpuModel(string(b)); m != "" {
			cpu = m
		}
	}
	warn := ""
	if runtime.GOMAXPROCS(0) != ortThreads {
		warn = fmt.Sprintf(" (not ONNX Runtime's %d: set GOMAXPROCS=%d to compare like with like)", ortThreads, ortThreads)
	}
	return fmt.Sprintf("machine: %s, %d logical CPUs; gokeras: %s %s/%s, GOMAXPROCS %d%s; ONNX Runtime: onnxruntime-node %s on node %s, CPU, intraOpNumThreads %d, interOpNumThreads 1, graphOptimizationLevel all, executionMode sequential",
		cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), warn, o.version, o.nodeVersion, ortThreads)
}

// cpuModel returns the first "model name" of /proc/cpuinfo's text, or "".
func cpuModel(cpuinfo string) string {
	for l := range strings.Lines(cpuinfo) {
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// prepared is one model ready for both sides: built, exported, compiled,
// with its inputs in memory and on disk.
type prepared struct {
	name      string
	m         *nn.Model
	onnxPath  string
	inputPath string    // the rows images as raw little-endian float32
	x         []float32 // rows × sample values
	sample    []int     // one input's shape
}

// prepare builds the model build makes with weights from seed (and
// fixed-seed moving statistics for its batch normalisations), exports it
// to dir, compiles it for Predict, and makes its inputs.
func prepare(name string, build func() (*nn.Model, error), seed uint64, dir string) (*prepared, error) {
	m, err := build()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if err := m.Build(seed); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	trainedStatistics(m)
	if len(m.Inputs()) != 1 || len(m.Outputs()) != 1 {
		return nil, fmt.Errorf("%s has %d inputs and %d outputs; the benchmark takes one of each", name, len(m.Inputs()), len(m.Outputs()))
	}
	p := &prepared{name: name, m: m, sample: m.Inputs()[0].Shape()}
	p.onnxPath = filepath.Join(dir, name+".onnx")
	if err := onnx.Save(m, p.onnxPath); err != nil {
		return nil, fmt.Errorf("exporting %s: %v", name, err)
	}
	if err := m.Compile(train.SGD(), train.CategoricalCrossentropy()); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	p.x = images(rows*size(p.sample), 1)
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, p.x); err != nil {
		return nil, err
	}
	p.inputPath = filepath.Join(dir, name+".f32")
	if err := os.WriteFile(p.inputPath, b.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return p, nil
}

// trainedStatistics gives m's batch normalisations scales, offsets and
// moving statistics other than 1 and 0, from a fixed seed, as training
// would: with the defaults a normalisation is nearly the identity and the
// agreement check would not see a wrong one.
func trainedStatistics(m *nn.Model) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range m.Layers() {
		bn, ok := l.(*nn.BatchNormalizationLayer)
		if !ok {
			continue
		}
		for _, w := range []*tensor.Dense{bn.Gamma(), bn.Beta(), bn.MovingMean()} {
			v := w.Data().([]float32)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
		}
		v := bn.MovingVariance().Data().([]float32)
		for i := range v {
			v[i] = 0.5 + rng.Float32()
		}
	}
}

// images returns n MNIST-like pixel values from seed: 80% zeros, the rest
// uniform in [0, 1).
func images(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	v := make([]float32, n)
	for i := range v {
		if rng.Float64() >= 0.8 {
			v[i] = rng.Float32()
		}
	}
	return v
}

// size is the number of values of a shape.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// batches returns p's inputs as tensors of batch images each, the rows in
// order (those left over at the end dropped).
func (p *prepared) batches(batch int) []*tensor.Dense {
	n := size(p.sample) * batch
	var ts []*tensor.Dense
	for lo := 0; lo+n <= len(p.x); lo += n {
		shape := append([]int{batch}, p.sample...)
		ts = append(ts, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(slices.Clone(p.x[lo:lo+n]))))
	}
	return ts
}

// predictOptions are the options of every timed Predict call.
var predictOptions = []train.Option{train.Verbose(0), train.BatchSize(rows)}

// timing is one phase's call times.
type timing struct {
	batch int
	ms    []float64
}

// timeGokeras runs protocol pr with Predict, in this process.
func timeGokeras(p *prepared, pr protocol) ([]timing, error) {
	var out []timing
	for _, ph := range pr.phases {
		feeds := p.batches(ph.Batch)
		if len(feeds) == 0 {
			return nil, fmt.Errorf("batch %d: want 1 … %d", ph.Batch, rows)
		}
		i := 0
		for range ph.Warmup {
			if _, err := p.m.Predict(feeds[i%len(feeds)], predictOptions...); err != nil {
				return nil, err
			}
			i++
		}
		var ms []float64
		budget := time.Duration(pr.seconds * float64(time.Second))
		start := time.Now()
		for len(ms) < pr.minCalls || time.Since(start) < budget {
			x := feeds[i%len(feeds)]
			i++
			t0 := time.Now()
			_, err := p.m.Predict(x, predictOptions...)
			d := time.Since(t0)
			if err != nil {
				return nil, err
			}
			ms = append(ms, float64(d.Nanoseconds())/1e6)
		}
		out = append(out, timing{ph.Batch, ms})
	}
	return out, nil
}

// ortConfig is ort_bench.js's CONFIG.json.
type ortConfig struct {
	Model          string  `json:"model"`
	Input          string  `json:"input"`
	Rows           int     `json:"rows"`
	Sample         []int   `json:"sample"`
	IntraOpThreads int     `json:"intraOpThreads"`
	Phases         []phase `json:"phases"`
	Seconds        float64 `json:"seconds"`
	MinCalls       int     `json:"minCalls"`
	Check          int     `json:"check"`
}

// ortResult is what ort_bench.js prints.
type ortResult struct {
	InputName  string `json:"inputName"`
	OutputName string `json:"outputName"`
	Phases     []struct {
		Batch int       `json:"batch"`
		MS    []float64 `json:"ms"`
	} `json:"phases"`
	Check *struct {
		Dims    []int     `json:"dims"`
		Batch   []float64 `json:"batch"`
		Singles []float64 `json:"singles"`
	} `json:"check"`
}

// runORT runs ort_bench.js with c and decodes what it prints.
func runORT(o *ortEnv, c ortConfig) (*ortResult, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(o.dir, "config.json")
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		return nil, err
	}
	// Generous: session creation, warm-ups and the timed phases.
	limit := 5*time.Minute + time.Duration(float64(len(c.Phases))*4*c.Seconds*float64(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.node, o.script, cfg)
	cmd.Env = o.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime (node %s %s): %v\n%s", o.script, cfg, err, lastLines(stderr.String(), 20))
	}
	var r ortResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("reading ort_bench.js's output: %v (output begins %q)", err, firstLine(out))
	}
	return &r, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// config returns the ort_bench.js configuration for p.
func (p *prepared) config() ortConfig {
	return ortConfig{Model: p.onnxPath, Input: p.inputPath, Rows: rows, Sample: p.sample, IntraOpThreads: ortThreads}
}

// timeORT runs protocol pr with ONNX Runtime, in a node subprocess.
func timeORT(o *ortEnv, p *prepared, pr protocol) ([]timing, error) {
	c := p.config()
	c.Phases, c.Seconds, c.MinCalls = pr.phases, pr.seconds, pr.minCalls
	r, err := runORT(o, c)
	if err != nil {
		return nil, err
	}
	if len(r.Phases) != len(pr.phases) {
		return nil, fmt.Errorf("ort_bench.js timed %d phases, want %d", len(r.Phases), len(pr.phases))
	}
	out := make([]timing, len(r.Phases))
	for i, ph := range r.Phases {
		if ph.Batch != pr.phases[i].Batch || len(ph.MS) < pr.minCalls {
			return nil, fmt.Errorf("ort_bench.js phase %d: batch %d, %d calls; want batch %d, ≥ %d calls", i+1, ph.Batch, len(ph.MS), pr.phases[i].Batch, pr.minCalls)
		}
		out[i] = timing{ph.Batch, ph.MS}
	}
	return out, nil
}

// agreement runs p's rows as one batch and its first checkSingles rows one
// at a time through both ONNX Runtime and Predict, and returns the
// largest difference between their outputs; an error where the shapes
// differ or the difference exceeds tolerance.
func agreement(o *ortEnv, p *prepared) (float64, error) {
	c := p.config()
	c.Check = checkSingles
	r, err := runORT(o, c)
	if err != nil {
		return 0, err
	}
	if r.Check == nil {
		return 0, errors.New("ort_bench.js gave no check outputs")
	}
	if want := p.m.Outputs()[0].Layer().Name(); r.OutputName != want {
		return 0, fmt.Errorf("ONNX Runtime's output is named %q, the model's %q", r.OutputName, want)
	}
	got, err := p.m.Predict(p.batches(rows)[0], predictOptions...)
	if err != nil {
		return 0, err
	}
	var singles []float32
	for _, x := range p.batches(1)[:checkSingles] {
		y, err := p.m.Predict(x, predictOptions...)
		if err != nil {
			return 0, err
		}
		singles = append(singles, y.Data().([]float32)...)
	}
	if !slices.Equal(r.Check.Dims, []int(got.Shape())) {
		return 0, fmt.Errorf("ONNX Runtime's output has shape %v, Predict's %v", r.Check.Dims, got.Shape())
	}
	worst, err := maxAbsDiff(r.Check.Batch, got.Data().([]float32))
	if err != nil {
		return worst, fmt.Errorf("batch of %d: %v", rows, err)
	}
	w1, err := maxAbsDiff(r.Check.Singles, singles)
	if err != nil {
		return w1, fmt.Errorf("single samples: %v", err)
	}
	return max(worst, w1), nil
}

// maxAbsDiff returns the largest |ort[i] − predict[i]|, and an error
// where the lengths differ, a value is NaN or the difference exceeds
// tolerance.
func maxAbsDiff(ort []float64, predict []float32) (float64, error) {
	if len(ort) != len(predict) {
		return math.NaN(), fmt.Errorf("ONNX Runtime gave %d values, Predict %d", len(ort), len(predict))
	}
	worst, at := 0.0, 0
	for i, v := range predict {
		d := math.Abs(ort[i] - float64(v))
		if math.IsNaN(d) {
			return d, fmt.Errorf("value %d: ONNX Runtime %v, Predict %v", i, ort[i], v)
		}
		if d > worst {
			worst, at = d, i
		}
	}
	if worst > tolerance {
		return worst, fmt.Errorf("outputs differ by up to %.3g (value %d: ONNX Runtime %v, Predict %v), over the %g allowed: a benchmark of wrong answers is worthless",
			worst, at, ort[at], predict[at], tolerance)
	}
	return worst, nil
}

// figures summarise one phase of one run.
type figures struct {
	calls         int
	median, p90   float64 // ms per call
	samplesPerSec float64
}

// summarize returns the figures of calls of batch samples that took ms.
func summarize(batch int, ms []float64) figures {
	total := 0.0
	for _, t := range ms {
		total += t
	}
	return figures{calls: len(ms), median: median(ms), p90: percentile(ms, 90), samplesPerSec: float64(batch*len(ms)) / (total / 1e3)}
}

// median returns the median of xs (the mean of the two middle values
// for an even count), NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the nearest-rank p-th percentile of xs: the
// smallest value with at least p% of xs at or below it; NaN for none.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	k := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(k, 1), len(s))-1]
}

// The two sides' names in results.
const (
	gokerasName = "gokeras"
	ortName     = "ONNX Runtime"
)

// runResult is one phase of one run.
type runResult struct {
	model, side string
	pair, batch int
	fig         figures
}

// runsTable renders one row per phase of every run, in the order run.
func runsTable(results []runResult) string {
	header := []string{"model", "batch", "pair", "side", "calls", "median ms", "p90 ms", "samples/s"}
	var rows [][]string
	for _, r := range results {
		rows = append(rows, []string{r.model, strconv.Itoa(r.batch), strconv.Itoa(r.pair), r.side, strconv.Itoa(r.fig.calls),
			formatMS(r.fig.median), formatMS(r.fig.p90), formatFloat(r.fig.samplesPerSec, 0)})
	}
	return markdownTable(header, "lrrlrrrr", rows)
}

// summaryTable renders, per model and batch size in the order first run,
// the medians over the pairs of each side's figures and the median over
// the pairs of gokeras's median time over ONNX Runtime's.
func summaryTable(results []runResult) string {
	type key struct {
		model string
		batch int
	}
	type sideStats struct{ median, p90, rate []float64 }
	var order []key
	stats := map[key]map[string]*sideStats{}
	byPair := map[key]map[int]map[string]float64{} // median ms
	for _, r := range results {
		k := key{r.model, r.batch}
		if stats[k] == nil {
			order = append(order, k)
			stats[k] = map[string]*sideStats{gokerasName: {}, ortName: {}}
			byPair[k] = map[int]map[string]float64{}
		}
		s := stats[k][r.side]
		if s == nil {
			continue
		}
		s.median = append(s.median, r.fig.median)
		s.p90 = append(s.p90, r.fig.p90)
		s.rate = append(s.rate, r.fig.samplesPerSec)
		if byPair[k][r.pair] == nil {
			byPair[k][r.pair] = map[string]float64{}
		}
		byPair[k][r.pair][r.side] = r.fig.median
	}
	header := []string{"model", "batch", "gokeras ms (median, p90)", "ORT ms (median, p90)", "gokeras samples/s", "ORT samples/s", "gokeras/ORT time"}
	var rows [][]string
	for _, k := range order {
		g, o := stats[k][gokerasName], stats[k][ortName]
		var ratios []float64
		for _, sides := range byPair[k] {
			gm, ok1 := sides[gokerasName]
			om, ok2 := sides[ortName]
			if ok1 && ok2 {
				ratios = append(ratios, gm/om)
			}
		}
		ms := func(s *sideStats) string {
			if len(s.median) == 0 {
				return "–"
			}
			return formatMS(median(s.median)) + ", " + formatMS(median(s.p90))
		}
		rows = append(rows, []string{k.model, strconv.Itoa(k.batch), ms(g), ms(o),
			formatFloat(median(g.rate), 0), formatFloat(median(o.rate), 0), formatRatio(median(ratios))})
	}
	return markdownTable(header, "lrrrrrr", rows)
}

// formatFloat formats x with the given decimals, "–" for NaN.
func formatFloat(x float64, decimals int) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', decimals, 64)
}

// formatMS formats milliseconds to about three significant digits: 0.0123,
// 0.123, 1.23, 12.3, 123.
func formatMS(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x < 0.1:
		return formatFloat(x, 4)
	case x < 1:
		return formatFloat(x, 3)
	case x < 10:
		return formatFloat(x, 2)
	case x < 100:
		return formatFloat(x, 1)
	}
	return formatFloat(x, 0)
}

// formatRatio formats a ratio as "2.10×", "–" for NaN or ±Inf.
func formatRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "×"
}

// markdownTable renders a markdown table with the columns padded to a
// common width. align holds one byte per column: 'l' or 'r'.
func markdownTable(header []string, align string, rows [][]string) string {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = max(3, len([]rune(h)))
	}
	for _, r := range rows {
		for i := 0; i < len(header) && i < len(r); i++ {
			width[i] = max(width[i], len([]rune(r[i])))
		}
	}
	var b strings.Builder
	right := func(i int) bool { return i < len(align) && align[i] == 'r' }
	line := func(cells []string) {
		b.WriteString("|")
		for i := range header {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			pad := strings.Repeat(" ", width[i]-len([]rune(s)))
			if right(i) {
				b.WriteString(" " + pad + s + " |")
			} else {
				b.WriteString(" " + s + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(header)
	b.WriteString("|")
	for i := range header {
		if right(i) {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}
