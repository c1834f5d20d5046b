package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropoutRuns builds Dropout(x) with the rng seeded by seed and returns
// its output over runs runs of one tape machine.
func dropoutRuns(t *testing.T, seed uint64, rate float64, runs int) [][]float64 {
	t.Helper()
	g := G.NewGraph()
	x := G.NodeFromAny(g, convRand(NewRand(1), 0.5, 1.5, 20, 30), G.WithName("x"))
	y, err := Dropout(x, rate, NewRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	var v G.Value
	G.Read(y, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	var out [][]float64
	for r := 0; r < runs; r++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		out = append(out, convFloat64s(t, v))
	}
	return out
}

func sameValues(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDropoutMasksFollowTheSeed(t *testing.T) {
	a := dropoutRuns(t, 42, 0.5, 3)
	b := dropoutRuns(t, 42, 0.5, 3)
	c := dropoutRuns(t, 43, 0.5, 3)
	for r := range a {
		if !sameValues(a[r], b[r]) {
			t.Errorf("run %d: two graphs seeded alike gave different outputs", r)
		}
		if sameValues(a[r], c[r]) {
			t.Errorf("run %d: seeds 42 and 43 gave the same output", r)
		}
	}
	if sameValues(a[0], a[1]) || sameValues(a[1], a[2]) {
		t.Error("consecutive runs reused the mask")
	}
}

func TestDropoutKeepsOneMinusRateAndTheMean(t *testing.T) {
	const rows, cols = 200, 500
	n := float64(rows * cols)
	for _, rate := range []float64{0.1, 0.25, 0.5, 0.8} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%v_%v", rate, dt), func(t *testing.T) {
				g := G.NewGraph()
				xv := convRand(NewRand(9), 0.5, 1.5, rows, cols)
				y, err := Dropout(convNode(g, "x", xv, dt), rate, NewRand(uint64(rate*100)))
				if err != nil {
					t.Fatal(err)
				}
				got, _ := convRun(t, g, y)
				x := convAs(xv, dt)
				var kept, pairs, sumX, sumX2, sumY float64
				for i, v := range got[0] {
					if i%2 == 1 && v != 0 && got[0][i-1] != 0 {
						pairs++ // both elements of a pair kept
					}
					sumX += x[i]
					sumX2 += x[i] * x[i]
					sumY += v
					if v == 0 {
						continue
					}
					kept++
					if want := x[i] / (1 - rate); math.Abs(v-want) > 1e-6*want {
						t.Fatalf("element %d kept as %v, want %v / (1 − %v) = %v", i, v, x[i], rate, want)
					}
				}
				p := 1 - rate
				if sd := math.Sqrt(p * (1 - p) / n); math.Abs(kept/n-p) > 5*sd {
					t.Errorf("kept %v of the elements, want %v ± %.4f", kept/n, p, 5*sd)
				}
				// Elements are kept independently: a pair is kept whole
				// with probability p².
				if sd := math.Sqrt(p * p * (1 - p*p) / (n / 2)); math.Abs(pairs/(n/2)-p*p) > 5*sd {
					t.Errorf("kept %v of the pairs whole, want %v ± %.4f", pairs/(n/2), p*p, 5*sd)
				}
				// Var(y) = E[x²]/(1 − rate) − E[x]² for an element; the mean
				// of n of them has a standard deviation √(Var/n).
				mx, mx2 := sumX/n, sumX2/n
				if sd := math.Sqrt((mx2/p - mx*mx) / n); math.Abs(sumY/n-mx) > 5*sd {
					t.Errorf("output mean %v, input mean %v: want them within %.4f", sumY/n, mx, 5*sd)
				}
			})
		}
	}
}

func TestDropoutGradientIsTheMask(t *testing.T) {
	const rate = 0.4
	rng := NewRand(12)
	g := G.NewGraph()
	x := G.NodeFromAny(g, convRand(rng, 0.5, 1.5, 3, 4, 5, 2), G.WithName("x"))
	r := G.NodeFromAny(g, convRand(rng, -1, 1, 3, 4, 5, 2), G.WithName("r"))
	y := G.Must(Dropout(x, rate, rng))
	grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, r)))), x)
	if err != nil {
		t.Fatal(err)
	}
	var yv, gv G.Value
	G.Read(y, &yv)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	var masks [][]float64
	for run := 0; run < 2; run++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		ys, dx, rs := yv.Data().([]float64), gv.Data().([]float64), r.Value().Data().([]float64)
		mask := make([]float64, len(ys))
		for i := range ys {
			if ys[i] != 0 {
				mask[i] = 1 / (1 - rate)
			}
			if want := rs[i] * mask[i]; math.Abs(dx[i]-want) > 1e-15 {
				t.Fatalf("run %d element %d: gradient %v, want r·mask = %v·%v", run, i, dx[i], rs[i], mask[i])
			}
		}
		masks = append(masks, mask)
	}
	if sameValues(masks[0], masks[1]) {
		t.Error("the second run reused the first run's mask")
	}
}

// replay is a random source that repeats its draws, so that every run of
// a graph with one Dropout of n elements (⌈n/2⌉ draws) has the same mask,
// as finite differences need.
type replay struct {
	draws []uint64
	i     int
}

func (r *replay) Uint64() uint64 {
	v := r.draws[r.i]
	r.i = (r.i + 1) % len(r.draws)
	return v
}

func replayRand(seed uint64, elements int) *rand.Rand {
	src := NewRand(seed)
	r := &replay{draws: make([]uint64, (elements+1)/2)}
	for i := range r.draws {
		r.draws[i] = src.Uint64()
	}
	return rand.New(r)
}

func TestDropoutGradients(t *testing.T) {
	rng := NewRand(13)
	tests := []struct {
		name   string
		b      block
		inputs []*tensor.Dense
		wrt    []int
	}{
		{"Leaf", func(in []*G.Node) (*G.Node, error) { return Dropout(in[0], 0.3, replayRand(1, 35)) },
			[]*tensor.Dense{convRand(rng, -1, 1, 5, 7)}, []int{0}},
		{"AfterTanh4D", tanhThen(func(x *G.Node, _ []*G.Node) (*G.Node, error) { return Dropout(x, 0.5, replayRand(2, 36)) }),
			[]*tensor.Dense{convRand(rng, -1, 1, 2, 3, 3, 2)}, []int{0}},
		{"DenseThenDropout", func(in []*G.Node) (*G.Node, error) {
			h, err := Dense(in[0], in[1], in[2])
			if err != nil {
				return nil, err
			}
			return Dropout(h, 0.2, replayRand(3, 12))
		}, []*tensor.Dense{convRand(rng, -1, 1, 3, 4), convRand(rng, -1, 1, 4, 4), convRand(rng, -1, 1, 4)}, []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.b, tc.inputs, tc.wrt, 1e-6)
		})
	}
}

func TestDropoutRateZeroIsTheIdentity(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float32, G.WithShape(3, 4), G.WithName("x"))
	rng, fresh := NewRand(5), NewRand(5)
	y, err := Dropout(x, 0, rng)
	if err != nil || y != x {
		t.Fatalf("Dropout(x, 0): %v, %v; want x itself", y, err)
	}
	if rng.Uint64() != fresh.Uint64() {
		t.Error("Dropout with rate 0 drew from the random source")
	}
}

func TestDropoutNodesAreNotMerged(t *testing.T) {
	g := G.NewGraph()
	x := G.NodeFromAny(g, convRand(NewRand(2), 0.5, 1.5, 10, 10), G.WithName("x"))
	rng := NewRand(6)
	a := G.Must(Dropout(x, 0.5, rng))
	b := G.Must(Dropout(x, 0.5, rng))
	if a == b {
		t.Fatal("two Dropout calls on one node gave one node")
	}
	got, _ := convRun(t, g, a, b)
	if sameValues(got[0], got[1]) {
		t.Error("two Dropout nodes on one input drew the same mask")
	}
}

func TestDropoutErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(3, 4), G.WithName("x"))
	rng := NewRand(1)
	tests := []struct {
		name string
		x    *G.Node
		rate float64
		rng  *rand.Rand
		want []string
	}{
		{"nil input", nil, 0.5, rng, []string{"Dropout input", "nil"}},
		{"int input", G.NewMatrix(g, G.Int, G.WithShape(3, 4), G.WithName("i")), 0.5, rng, []string{"float32 or float64", "int"}},
		{"scalar", G.NewScalar(g, G.Float64, G.WithName("s")), 0.5, rng, []string{"scalar"}},
		{"negative rate", x, -0.1, rng, []string{"rate -0.1", "[0, 1)", "(3, 4)"}},
		{"rate 1", x, 1, rng, []string{"rate 1 ", "[0, 1)"}},
		{"rate above 1", x, 1.5, rng, []string{"rate 1.5"}},
		{"NaN rate", x, math.NaN(), rng, []string{"rate NaN"}},
		{"nil rng", x, 0.5, nil, []string{"nil random source", "(3, 4)"}},
	}
	for _, tc := range tests {
		y, err := Dropout(tc.x, tc.rate, tc.rng)
		wantError(t, tc.name, y, err, tc.want...)
	}
}

func TestDropoutOpsReuseTheirOutputs(t *testing.T) {
	for _, s := range [][]int{{4, 5}, {2, 3, 3, 3}} { // an even and an odd count
		x := f32Tensor(s...)
		fwd := &dropoutOp{opInfo: opInfo{"Dropout"}, rate: 0.5, rng: NewRand(1), threshold: 1 << 31}
		y := checkReuse(t, fmt.Sprint("Dropout", s), fwd, x)
		gop := &dropoutOp{opInfo: opInfo{"DropoutGrad"}, fwd: fwd}
		checkReuse(t, fmt.Sprint("DropoutGrad", s), gop, y, f32Tensor(s...))
	}
}
