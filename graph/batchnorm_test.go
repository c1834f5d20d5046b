package graph

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveMoments returns the per-channel mean and biased variance of x, a
// (rows, c) matrix in row-major order, by two plain passes in float64.
func naiveMoments(x []float64, c int) (mean, variance []float64) {
	rows := len(x) / c
	mean, variance = make([]float64, c), make([]float64, c)
	for j := 0; j < c; j++ {
		s := 0.0
		for r := 0; r < rows; r++ {
			s += x[r*c+j]
		}
		mean[j] = s / float64(rows)
		v := 0.0
		for r := 0; r < rows; r++ {
			d := x[r*c+j] - mean[j]
			v += d * d
		}
		variance[j] = v / float64(rows)
	}
	return mean, variance
}

// naiveBatchNorm is BatchNorm as plain float64 loops: the statistics are
// the batch's (training) or the moving ones.
func naiveBatchNorm(x, gamma, beta, mm, mv []float64, eps float64, training bool) []float64 {
	c := len(gamma)
	mean, variance := mm, mv
	if training {
		mean, variance = naiveMoments(x, c)
	}
	y := make([]float64, len(x))
	for i, v := range x {
		j := i % c
		y[i] = (v-mean[j])/math.Sqrt(variance[j]+eps)*gamma[j] + beta[j]
	}
	return y
}

// bnParams returns random gamma, beta, moving mean and moving variance
// vectors of c values.
func bnParams(rng *rand.Rand, c int) (gamma, beta, mm, mv *tensor.Dense) {
	return convRand(rng, 0.5, 1.5, c), convRand(rng, -1, 1, c), convRand(rng, -0.5, 0.5, c), convRand(rng, 0.5, 2, c)
}

// bnInput returns a tensor of shape s whose channel j (the last axis)
// holds U(−1, 1)·(1 + j) + 3 + j: different means and spreads, far from
// zero.
func bnInput(rng *rand.Rand, s ...int) *tensor.Dense {
	x := convRand(rng, -1, 1, s...)
	c := s[len(s)-1]
	d := x.Data().([]float64)
	for i := range d {
		j := float64(i % c)
		d[i] = d[i]*(1+j) + 3 + j
	}
	return x
}

func TestBatchNormMatchesNaiveLoops(t *testing.T) {
	shapes := [][]int{{7, 3}, {2, 5, 4}, {3, 4, 5, 6}, {1, 5}, {3000, 3}, {70, 300}, {4, 16, 16, 8}}
	const momentum, eps = 0.9, 1e-3
	for i, s := range shapes {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for _, training := range []bool{true, false} {
				t.Run(fmt.Sprintf("%v_%v_training_%v", s, dt, training), func(t *testing.T) {
					rng := NewRand(uint64(300 + i))
					c := s[len(s)-1]
					x := bnInput(rng, s...)
					gamma, beta, mm, mv := bnParams(rng, c)
					g := G.NewGraph()
					xn, gn, bn := convNode(g, "x", x, dt), convNode(g, "gamma", gamma, dt), convNode(g, "beta", beta, dt)
					mmn, mvn := convNode(g, "mm", mm, dt), convNode(g, "mv", mv, dt)
					y, err := BatchNorm(xn, gn, bn, mmn, mvn, momentum, eps, training)
					if err != nil {
						t.Fatal(err)
					}
					if !shapeIs(y.Shape(), s...) {
						t.Fatalf("node shape %v, want %v", y.Shape(), s)
					}
					got, vshapes := convRun(t, g, y)
					if !shapeIs(vshapes[0], s...) {
						t.Fatalf("value shape %v, want %v", vshapes[0], s)
					}
					xv, gv, bv, mmv, mvv := convAs(x, dt), convAs(gamma, dt), convAs(beta, dt), convAs(mm, dt), convAs(mv, dt)
					want := naiveBatchNorm(xv, gv, bv, mmv, mvv, eps, training)
					tol := 1e-12
					if dt == tensor.Float32 {
						tol = 3e-6
					}
					for j := range want {
						if d := math.Abs(got[0][j] - want[j]); d > tol*math.Max(1, math.Abs(want[j])) {
							t.Fatalf("element %d: %v, want %v", j, got[0][j], want[j])
						}
					}
					// The moving statistics: updated once in training, as
					// Keras 3 does; untouched in inference.
					wantMM, wantMV := mmv, mvv
					if training {
						mean, variance := naiveMoments(xv, c)
						wantMM, wantMV = make([]float64, c), make([]float64, c)
						for j := range c {
							wantMM[j] = mmv[j]*momentum + mean[j]*(1-momentum)
							wantMV[j] = mvv[j]*momentum + variance[j]*(1-momentum)
						}
					}
					gotMM, gotMV := convFloat64s(t, mmn.Value()), convFloat64s(t, mvn.Value())
					for j := range c {
						if d := math.Abs(gotMM[j] - wantMM[j]); d > tol*math.Max(1, math.Abs(wantMM[j])) || !training && d != 0 {
							t.Errorf("moving mean %d: %v, want %v", j, gotMM[j], wantMM[j])
						}
						if d := math.Abs(gotMV[j] - wantMV[j]); d > tol*math.Max(1, math.Abs(wantMV[j])) || !training && d != 0 {
							t.Errorf("moving variance %d: %v, want %v", j, gotMV[j], wantMV[j])
						}
					}
				})
			}
		}
	}
}

// TestBatchNormStatisticsAreAccurate normalises data whose mean is far
// larger than its spread: the variance, accumulated in float64 around
// each block's mean, keeps its digits even for float32 input.
func TestBatchNormStatisticsAreAccurate(t *testing.T) {
	rng := NewRand(41)
	const rows = 5000
	x := make([]float32, rows)
	for i := range x {
		x[i] = 1000 + float32(rng.Float64()*2-1)*0.01
	}
	xs := make([]float64, rows)
	for i, v := range x {
		xs[i] = float64(v)
	}
	mean, variance := naiveMoments(xs, 1)
	g := G.NewGraph()
	vec := func(name string, v float32) *G.Node {
		return G.NewVector(g, G.Float32, G.WithShape(1), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{v}))))
	}
	xn := G.NewMatrix(g, G.Float32, G.WithShape(rows, 1), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(x))))
	mm, mv := vec("mm", 0), vec("mv", 0)
	y := G.Must(BatchNorm(xn, vec("gamma", 1), vec("beta", 0), mm, mv, 0, 1e-12, true))
	got, _ := convRun(t, g, y)
	if d := math.Abs(float64(mv.Value().Data().([]float32)[0]) - variance[0]); d > 1e-6*variance[0] {
		t.Errorf("variance %v, want %v", mv.Value().Data(), variance[0])
	}
	if d := math.Abs(float64(mm.Value().Data().([]float32)[0]) - mean[0]); d > 1e-6*mean[0] {
		t.Errorf("mean %v, want %v", mm.Value().Data(), mean[0])
	}
	// The output has mean 0 and variance 1 up to float32's rounding of μ.
	m, v := naiveMoments(got[0], 1)
	if math.Abs(m[0]) > 1e-2 || math.Abs(v[0]-1) > 1e-3 {
		t.Errorf("normalised output has mean %v and variance %v, want 0 and 1", m[0], v[0])
	}
}

func TestBatchNormMovingStatisticsOverSeveralRuns(t *testing.T) {
	rng := NewRand(42)
	const momentum, eps = 0.99, 1e-3
	x := bnInput(rng, 4, 3, 5)
	gamma, beta, mm, mv := bnParams(rng, 5)
	wantMM := append([]float64(nil), mm.Data().([]float64)...)
	wantMV := append([]float64(nil), mv.Data().([]float64)...)
	g := G.NewGraph()
	xn := G.NodeFromAny(g, x, G.WithName("x"))
	mmn, mvn := G.NodeFromAny(g, mm, G.WithName("mm")), G.NodeFromAny(g, mv, G.WithName("mv"))
	y := G.Must(BatchNorm(xn, G.NodeFromAny(g, gamma, G.WithName("g")), G.NodeFromAny(g, beta, G.WithName("b")), mmn, mvn, momentum, eps, true))
	var yv G.Value
	G.Read(y, &yv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	xd := x.Data().([]float64)
	for run := 0; run < 5; run++ {
		// A different batch each run.
		for i := range xd {
			xd[i] = xd[i]*1.1 + 0.3*float64(run)
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		mean, variance := naiveMoments(xd, 5)
		for j := range wantMM {
			// Keras 3: moving_mean * momentum + mean * (1 - momentum),
			// with the biased variance of ops.moments.
			wantMM[j] = wantMM[j]*momentum + mean[j]*(1-momentum)
			wantMV[j] = wantMV[j]*momentum + variance[j]*(1-momentum)
		}
		gotMM, gotMV := mmn.Value().Data().([]float64), mvn.Value().Data().([]float64)
		for j := range wantMM {
			if math.Abs(gotMM[j]-wantMM[j]) > 1e-12 || math.Abs(gotMV[j]-wantMV[j]) > 1e-12 {
				t.Errorf("run %d channel %d: moving mean %v and variance %v, want %v and %v", run, j, gotMM[j], gotMV[j], wantMM[j], wantMV[j])
			}
		}
		// The output uses the batch's statistics, not the moving ones.
		want := naiveBatchNorm(xd, gamma.Data().([]float64), beta.Data().([]float64), nil, nil, eps, true)
		for i, w := range want {
			if got := yv.Data().([]float64)[i]; math.Abs(got-w) > 1e-12 {
				t.Fatalf("run %d element %d: %v, want %v", run, i, got, w)
			}
		}
	}
}

// bnBlock returns a block applying batchNorm to inputs x, gamma, beta,
// moving mean and moving variance, with x's gradient built even for a
// leaf x.
func bnBlock(training bool) block {
	return func(in []*G.Node) (*G.Node, error) {
		return batchNorm(in[0], in[1], in[2], in[3], in[4], 0.9, 1e-3, training, true)
	}
}

func TestBatchNormGradients(t *testing.T) {
	rng := NewRand(43)
	inputs := func(s ...int) []*tensor.Dense {
		gamma, beta, mm, mv := bnParams(rng, s[len(s)-1])
		return []*tensor.Dense{convRand(rng, -1, 1, s...), gamma, beta, mm, mv}
	}
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
	}{
		{"Training2D", bnBlock(true), inputs(6, 4)},
		{"Training3D", bnBlock(true), inputs(2, 3, 3)},
		{"Training4D", bnBlock(true), inputs(2, 3, 2, 3)},
		{"Inference2D", bnBlock(false), inputs(6, 4)},
		{"Inference4D", bnBlock(false), inputs(2, 3, 2, 3)},
		{"TrainingAfterTanh", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			return BatchNorm(x, r[0], r[1], r[2], r[3], 0.99, 1e-3, true)
		}), inputs(3, 2, 2, 3)},
		{"InferenceAfterTanh", tanhThen(func(x *G.Node, r []*G.Node) (*G.Node, error) {
			return BatchNorm(x, r[0], r[1], r[2], r[3], 0.99, 1e-3, false)
		}), inputs(5, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, []int{0, 1, 2}, 1e-6)
		})
	}
}

// TestBatchNormGradientsOfManyBlocks checks the gradients of inputs of
// several blocks of rows against plain float64 loops.
func TestBatchNormGradientsOfManyBlocks(t *testing.T) {
	for _, s := range [][]int{{3000, 3}, {70, 300}, {4, 16, 16, 8}} {
		for _, training := range []bool{true, false} {
			rng := NewRand(44)
			c := s[len(s)-1]
			x := bnInput(rng, s...)
			gamma, beta, mm, mv := bnParams(rng, c)
			dy := convRand(rng, -1, 1, s...)
			g := G.NewGraph()
			in := []*G.Node{G.NodeFromAny(g, x, G.WithName("x")), G.NodeFromAny(g, gamma, G.WithName("gamma")),
				G.NodeFromAny(g, beta, G.WithName("beta")), G.NodeFromAny(g, mm, G.WithName("mm")), G.NodeFromAny(g, mv, G.WithName("mv"))}
			mean, variance := mm.Data().([]float64), mv.Data().([]float64)
			xv := x.Data().([]float64)
			if training {
				mean, variance = naiveMoments(xv, c)
			}
			y := G.Must(batchNorm(in[0], in[1], in[2], in[3], in[4], 0.9, 1e-3, training, true))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{G.NodeFromAny(g, dy, G.WithName("dy"))}, in[:3])
			if err != nil {
				t.Fatal(err)
			}
			got, _ := convRun(t, g, grads...)
			rows, gy, gm := len(xv)/c, dy.Data().([]float64), gamma.Data().([]float64)
			dgamma, dbeta := make([]float64, c), make([]float64, c)
			for i, v := range xv {
				j := i % c
				dgamma[j] += gy[i] * (v - mean[j]) / math.Sqrt(variance[j]+1e-3)
				dbeta[j] += gy[i]
			}
			for i, v := range xv {
				j := i % c
				inv := 1 / math.Sqrt(variance[j]+1e-3)
				want := gy[i] * gm[j] * inv
				if training {
					want = gm[j] * inv * (gy[i] - dbeta[j]/float64(rows) - (v-mean[j])*inv*dgamma[j]/float64(rows))
				}
				if d := math.Abs(got[0][i] - want); d > 1e-10*math.Max(1, math.Abs(want)) {
					t.Fatalf("%v training %v: x gradient %d: %v, want %v", s, training, i, got[0][i], want)
				}
			}
			for j := range c {
				if d := math.Abs(got[1][j] - dgamma[j]); d > 1e-10*math.Max(1, math.Abs(dgamma[j])) {
					t.Errorf("%v training %v: gamma gradient %d: %v, want %v", s, training, j, got[1][j], dgamma[j])
				}
				if d := math.Abs(got[2][j] - dbeta[j]); d > 1e-10*math.Max(1, math.Abs(dbeta[j])) {
					t.Errorf("%v training %v: beta gradient %d: %v, want %v", s, training, j, got[2][j], dbeta[j])
				}
			}
		}
	}
}

func TestBatchNormBuildsTheInputGradientOnlyForComputedInputs(t *testing.T) {
	build := func(computed bool) (*G.ExprGraph, *G.Node, []*G.Node) {
		g := G.NewGraph()
		x := G.NewMatrix(g, G.Float64, G.WithShape(4, 3), G.WithName("x"), G.WithInit(G.Gaussian(0, 1)))
		p := make([]*G.Node, 4)
		for i := range p {
			p[i] = G.NewVector(g, G.Float64, G.WithShape(3), G.WithName(fmt.Sprint("p", i)), G.WithInit(G.Ones()))
		}
		in := x
		if computed {
			in = G.Must(Tanh(x))
		}
		cost := G.Must(G.Sum(G.Must(BatchNorm(in, p[0], p[1], p[2], p[3], 0.99, 1e-3, true))))
		return g, cost, append([]*G.Node{x}, p...)
	}
	for _, computed := range []bool{false, true} {
		g, cost, n := build(computed)
		if _, err := G.Grad(cost, n[1], n[2]); err != nil {
			t.Fatalf("computed input %v: Grad: %v", computed, err)
		}
		want := 0
		if computed {
			want = 1
		}
		if got := countOps(g, "BatchNormInputGrad"); got != want {
			t.Errorf("computed input %v: %d input-gradient ops in the graph, want %d", computed, got, want)
		}
	}
	_, cost, n := build(false)
	if _, err := G.Grad(cost, n[0]); err == nil {
		t.Error("Grad with respect to a leaf input of BatchNorm: no error")
	}
	_, cost, n = build(true)
	if _, err := G.Grad(cost, n[3]); err == nil {
		t.Error("Grad with respect to the moving mean: no error")
	}
}

// TestBatchNormTrainingNodesAreNotMerged checks that two training
// BatchNorm calls on the same nodes make two nodes, each updating the
// moving statistics.
func TestBatchNormTrainingNodesAreNotMerged(t *testing.T) {
	g := G.NewGraph()
	x := G.NodeFromAny(g, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 3})), G.WithName("x"))
	one := func(name string, v float64) *G.Node {
		return G.NodeFromAny(g, tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{v})), G.WithName(name))
	}
	gamma, beta, mm, mv := one("gamma", 1), one("beta", 0), one("mm", 0), one("mv", 1)
	a := G.Must(BatchNorm(x, gamma, beta, mm, mv, 0.5, 1e-3, true))
	b := G.Must(BatchNorm(x, gamma, beta, mm, mv, 0.5, 1e-3, true))
	if a == b {
		t.Fatal("two training BatchNorm nodes were merged")
	}
	G.Must(Add(a, b))
	convRun(t, g)
	// Two updates towards the batch mean 2: 0 → 1 → 1.5.
	if got := mm.Value().Data().([]float64)[0]; got != 1.5 {
		t.Errorf("moving mean %v after two updates, want 1.5", got)
	}
	if got := mv.Value().Data().([]float64)[0]; got != 1 {
		t.Errorf("moving variance %v after two updates towards 1, want 1", got)
	}
	c := G.Must(BatchNorm(x, gamma, beta, mm, mv, 0.5, 1e-3, false))
	d := G.Must(BatchNorm(x, gamma, beta, mm, mv, 0.5, 1e-3, false))
	if c != d {
		t.Error("two identical inference BatchNorm nodes were not merged")
	}
}

func TestBatchNormErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 3, 4), G.WithName("x"))
	vec := func(name string, dt tensor.Dtype, n int) *G.Node {
		return G.NewVector(g, dt, G.WithShape(n), G.WithName(name))
	}
	gamma, beta, mm, mv := vec("gamma", G.Float64, 4), vec("beta", G.Float64, 4), vec("mm", G.Float64, 4), vec("mv", G.Float64, 4)
	computed := G.Must(Tanh(vec("raw", G.Float64, 4)))
	type args struct {
		x, gamma, beta, mm, mv *G.Node
		momentum, eps          float64
		training               bool
	}
	ok := args{x, gamma, beta, mm, mv, 0.99, 1e-3, true}
	with := func(f func(a *args)) args {
		a := ok
		f(&a)
		return a
	}
	tests := []struct {
		name string
		a    args
		want []string
	}{
		{"nil input", with(func(a *args) { a.x = nil }), []string{"BatchNorm input", "nil"}},
		{"nil gamma", with(func(a *args) { a.gamma = nil }), []string{"BatchNorm gamma", "nil"}},
		{"nil moving variance", with(func(a *args) { a.mv = nil }), []string{"moving variance", "nil"}},
		{"vector input", with(func(a *args) { a.x = vec("v", G.Float64, 4) }), []string{"2-D to 4-D", "(4)"}},
		{"5-D input", with(func(a *args) { a.x = G.NewTensor(g, G.Float64, 5, G.WithShape(2, 1, 3, 3, 4), G.WithName("x5")) }),
			[]string{"2-D to 4-D", "(2, 1, 3, 3, 4)"}},
		{"int input", with(func(a *args) { a.x = G.NewTensor(g, G.Int, 4, G.WithShape(2, 3, 3, 4), G.WithName("xi")) }),
			[]string{"float32 or float64", "int"}},
		{"gamma of 3", with(func(a *args) { a.gamma = vec("g3", G.Float64, 3) }), []string{"gamma", "(3)", "want (4)", "(2, 3, 3, 4)"}},
		{"beta of 5", with(func(a *args) { a.beta = vec("b5", G.Float64, 5) }), []string{"beta", "(5)", "want (4)"}},
		{"moving mean matrix", with(func(a *args) { a.mm = G.NewMatrix(g, G.Float64, G.WithShape(1, 4), G.WithName("m14")) }),
			[]string{"moving mean", "1-D", "(1, 4)"}},
		{"float32 beta", with(func(a *args) { a.beta = vec("b32", G.Float32, 4) }), []string{"beta is float32", "input is float64"}},
		{"float32 input", with(func(a *args) { a.x = G.NewTensor(g, G.Float32, 4, G.WithShape(2, 3, 3, 4), G.WithName("x32")) }),
			[]string{"gamma is float64", "input is float32"}},
		{"epsilon 0", with(func(a *args) { a.eps = 0 }), []string{"epsilon 0", "positive"}},
		{"epsilon −1", with(func(a *args) { a.eps = -1 }), []string{"epsilon -1", "positive"}},
		{"epsilon NaN", with(func(a *args) { a.eps = math.NaN() }), []string{"epsilon NaN"}},
		{"epsilon +Inf", with(func(a *args) { a.eps = math.Inf(1) }), []string{"epsilon +Inf"}},
		{"momentum −0.1", with(func(a *args) { a.momentum = -0.1 }), []string{"momentum -0.1", "[0, 1]"}},
		{"momentum 1.5", with(func(a *args) { a.momentum = 1.5 }), []string{"momentum 1.5", "[0, 1]"}},
		{"momentum NaN", with(func(a *args) { a.momentum = math.NaN() }), []string{"momentum NaN"}},
		{"computed moving mean", with(func(a *args) { a.mm = computed }), []string{"moving mean", "must be a variable"}},
		{"one node for both moving statistics", with(func(a *args) { a.mv = a.mm }), []string{"two nodes", "mm"}},
	}
	for _, tc := range tests {
		a := tc.a
		y, err := BatchNorm(a.x, a.gamma, a.beta, a.mm, a.mv, a.momentum, a.eps, a.training)
		wantError(t, tc.name, y, err, tc.want...)
	}
	for _, a := range []args{
		with(func(a *args) { a.momentum = 0 }),
		with(func(a *args) { a.momentum = 1 }),
		with(func(a *args) { a.mm, a.training = computed, false }),
		with(func(a *args) { a.x = G.NewMatrix(g, G.Float64, G.WithShape(5, 4), G.WithName("x2")) }),
	} {
		if _, err := BatchNorm(a.x, a.gamma, a.beta, a.mm, a.mv, a.momentum, a.eps, a.training); err != nil {
			t.Errorf("momentum %v, training %v, input %v: %v", a.momentum, a.training, a.x.Shape(), err)
		}
	}
}

func TestBatchNormOpsReuseTheirOutputs(t *testing.T) {
	for _, training := range []bool{true, false} {
		x, dy := f32Tensor(2, 5, 3, 4), f32Tensor(2, 5, 3, 4)
		gamma, beta, mm, mv := f32Tensor(4), f32Tensor(4), f32Tensor(4), f32Tensor(4)
		for i := range mv.Float32s() {
			mv.Float32s()[i] = float32(i + 1)
		}
		fwd := &batchNormOp{opInfo: opInfo{"BatchNorm"}, training: training, momentum: 0.9, epsilon: 1e-3, wantX: true, dims: 4}
		y := checkReuse(t, "BatchNorm", fwd, x, gamma, beta, mm, mv)
		sums := checkReuse(t, "BatchNormParamGrad", &bnSumsOp{opInfo: opInfo{"BatchNormParamGrad"}, fwd: fwd}, x, y, dy)
		if !shapeIs(sums.Shape(), 2, 4) {
			t.Errorf("sums of shape %v, want (2, 4)", sums.Shape())
		}
		for row := range 2 {
			v := checkReuse(t, "BatchNormGradRow", newBNRow(row), sums)
			if !shapeIs(v.Shape(), 4) || &v.Data().([]float32)[0] != &sums.Data().([]float32)[4*row] {
				t.Errorf("row %d: shape %v, or it copied", row, v.Shape())
			}
		}
		dx := checkReuse(t, "BatchNormInputGrad", &bnInputGradOp{opInfo: opInfo{"BatchNormInputGrad"}, fwd: fwd}, x, dy, gamma, sums)
		if !dx.Shape().Eq(x.Shape()) {
			t.Errorf("input gradient of shape %v, want %v", dx.Shape(), x.Shape())
		}
		// A gradient op given inputs that do not match the forward op's
		// last run is an error, not a panic.
		if _, err := (&bnSumsOp{opInfo: opInfo{"BatchNormParamGrad"}, fwd: fwd}).Do(f32Tensor(1, 5, 3, 4), y, f32Tensor(1, 5, 3, 4)); err == nil {
			t.Error("BatchNormParamGrad of a batch the forward op did not see: no error")
		}
	}
}

// coresChildEnv names the test a copy of the test binary started by
// sameOnAnyCores is to run, printing its digest.
const coresChildEnv = "GOKERAS_TEST_CORES_CHILD"

// coresTag starts the line on which such a copy prints its digest.
const coresTag = "gokeras-digest:"

// digest returns a hash of the bits of vs and their number.
func digest(vs []float64) string {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range vs {
		u := math.Float64bits(v)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	return fmt.Sprintf("%d values, %016x", len(vs), h.Sum64())
}

// sameOnAnyCores fails unless compute returns the same values, bit for
// bit, in this process and in copies of the test binary run with
// GOMAXPROCS 1, 2, 3 and 4: package par fixes its number of workers once
// per process, from GOMAXPROCS. It must be called by a top-level test,
// which the copies run again, and nothing else.
func sameOnAnyCores(t *testing.T, compute func(t *testing.T) []float64) {
	t.Helper()
	if os.Getenv(coresChildEnv) == t.Name() {
		fmt.Println(coresTag, digest(compute(t)))
		return
	}
	if testing.Short() {
		t.Skip("starts copies of the test binary")
	}
	want := digest(compute(t))
	for _, procs := range []int{1, 2, 3, 4} {
		cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), coresChildEnv+"="+t.Name(), "GOMAXPROCS="+strconv.Itoa(procs))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOMAXPROCS=%d: %v\n%s", procs, err, out)
		}
		got := ""
		for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
			if s, ok := strings.CutPrefix(sc.Text(), coresTag+" "); ok {
				got = s
			}
		}
		if got == "" {
			t.Fatalf("GOMAXPROCS=%d: no digest in the output:\n%s", procs, out)
		}
		if got != want {
			t.Errorf("GOMAXPROCS=%d: %s, but %s with GOMAXPROCS=%d here", procs, got, want, runtime.GOMAXPROCS(0))
		}
	}
}

// randOf returns a tensor of type dt (float32 or float64) and shape s
// holding U(lo, hi) samples.
func randOf(rng *rand.Rand, dt tensor.Dtype, lo, hi float64, s ...int) *tensor.Dense {
	if dt == tensor.Float64 {
		return convRand(rng, lo, hi, s...)
	}
	d := make([]float32, tensor.Shape(s).TotalSize())
	for i := range d {
		d[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
}

// bnGraph builds BatchNorm of type dt on x of shape s with its gradients
// for a fixed incoming gradient, and returns the graph and the nodes of
// the output, the gradients of x, gamma and beta, and the moving
// statistics.
func bnGraph(tb testing.TB, seed uint64, dt tensor.Dtype, training bool, s ...int) (*G.ExprGraph, G.Nodes) {
	rng := NewRand(seed)
	c := s[len(s)-1]
	g := G.NewGraph()
	x := G.NodeFromAny(g, randOf(rng, dt, -1, 3, s...), G.WithName("x"))
	gamma := G.NodeFromAny(g, randOf(rng, dt, 0.5, 1.5, c), G.WithName("gamma"))
	beta := G.NodeFromAny(g, randOf(rng, dt, -1, 1, c), G.WithName("beta"))
	mm := G.NodeFromAny(g, randOf(rng, dt, -1, 1, c), G.WithName("mm"))
	mv := G.NodeFromAny(g, randOf(rng, dt, 0.5, 2, c), G.WithName("mv"))
	dy := G.NodeFromAny(g, randOf(rng, dt, -1, 1, s...), G.WithName("dy"))
	y, err := batchNorm(x, gamma, beta, mm, mv, 0.99, 1e-3, training, true)
	if err != nil {
		tb.Fatal(err)
	}
	grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, gamma, beta})
	if err != nil {
		tb.Fatal(err)
	}
	return g, append(append(G.Nodes{y}, grads...), mm, mv)
}

func TestBatchNormSameOnAnyCoreCount(t *testing.T) {
	sameOnAnyCores(t, func(t *testing.T) []float64 {
		var all []float64
		for _, tc := range []struct {
			dt       tensor.Dtype
			training bool
		}{{tensor.Float64, true}, {tensor.Float64, false}, {tensor.Float32, true}} {
			for _, s := range [][]int{{8, 32, 32, 16}, {1000, 300}, {40000, 3}} {
				g, nodes := bnGraph(t, 45, tc.dt, tc.training, s...)
				vals := make([]G.Value, len(nodes))
				for i, n := range nodes[:4] {
					G.Read(n, &vals[i])
				}
				vm := G.NewTapeMachine(g)
				for range 2 {
					vm.Reset()
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
				}
				vm.Close()
				vals[4], vals[5] = nodes[4].Value(), nodes[5].Value()
				for _, v := range vals {
					all = append(all, convFloat64s(t, v)...)
				}
			}
		}
		return all
	})
}

// benchRun runs g on a tape machine b.N times, after one run to warm up.
func benchRun(b *testing.B, g *G.ExprGraph) {
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchNorm runs float32 BatchNorm forward and backward (the
// gradients of x, gamma and beta for a fixed incoming gradient).
func BenchmarkBatchNorm(b *testing.B) {
	for _, training := range []bool{true, false} {
		for _, s := range [][]int{{64, 28, 28, 32}, {128, 512}, {64, 7, 7, 64}} {
			mode := "Training"
			if !training {
				mode = "Inference"
			}
			b.Run(fmt.Sprintf("%s%v", mode, tensor.Shape(s)), func(b *testing.B) {
				g, _ := bnGraph(b, 1, tensor.Float32, training, s...)
				benchRun(b, g)
			})
		}
	}
}
