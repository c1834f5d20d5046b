package main

import (
	"fmt"
	"io"
	"math"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// net is a two-layer network and a batch, all float64, row-major:
// x (n, in), one-hot y (n, out), W1 (in, hidden), b1 (hidden),
// W2 (hidden, out), b2 (out).
type net struct {
	n, in, hidden, out int
	x, y               []float64
	w1, b1, w2, b2     []float64
}

func newNet(seed uint64) *net {
	rng := graph.NewRand(seed)
	m := &net{n: 4, in: 3, hidden: 5, out: 3}
	fill := func(k int) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	m.x, m.w1, m.b1, m.w2, m.b2 = fill(m.n*m.in), fill(m.in*m.hidden), fill(m.hidden), fill(m.hidden*m.out), fill(m.out)
	m.y = make([]float64, m.n*m.out)
	for i := 0; i < m.n; i++ {
		m.y[i*m.out+rng.IntN(m.out)] = 1
	}
	return m
}

// matmul returns a (r, k) · b (k, c); with ta, aᵀ is used, a being (k, r);
// with tb, bᵀ, b being (c, k).
func matmul(a, b []float64, r, k, c int, ta, tb bool) []float64 {
	z := make([]float64, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var s float64
			for l := 0; l < k; l++ {
				av, bv := a[i*k+l], b[l*c+j]
				if ta {
					av = a[l*r+i]
				}
				if tb {
					bv = b[j*k+l]
				}
				s += av * bv
			}
			z[i*c+j] = s
		}
	}
	return z
}

// sumRows returns the column sums of a (r, c) matrix.
func sumRows(a []float64, r, c int) []float64 {
	s := make([]float64, c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s[j] += a[i*c+j]
		}
	}
	return s
}

// handGradients runs the network forward, then the chain rule backward,
// layer by layer, and returns the loss and dL/dW1, dL/db1, dL/dW2, dL/db2.
// If w is not nil it narrates each step.
func (m *net) handGradients(w io.Writer) (float64, [4][]float64) {
	say := func(format string, a ...any) {
		if w != nil {
			fmt.Fprintf(w, format, a...)
		}
	}
	// Forward.
	z1 := matmul(m.x, m.w1, m.n, m.in, m.hidden, false, false)
	h := make([]float64, len(z1))
	for i := range z1 {
		z1[i] += m.b1[i%m.hidden]
		h[i] = math.Max(z1[i], 0)
	}
	z2 := matmul(h, m.w2, m.n, m.hidden, m.out, false, false)
	p := make([]float64, len(z2))
	var loss float64
	for i := 0; i < m.n; i++ {
		row := z2[i*m.out : (i+1)*m.out]
		mx := math.Inf(-1)
		for j := range row {
			row[j] += m.b2[j]
			mx = math.Max(mx, row[j])
		}
		var s float64
		for j := range row {
			s += math.Exp(row[j] - mx)
		}
		for j := range row {
			p[i*m.out+j] = math.Exp(row[j]-mx) / s
			loss -= m.y[i*m.out+j] * math.Log(p[i*m.out+j]) / float64(m.n)
		}
	}
	say("forward:  z1 = x·W1 + b1, h = relu(z1), z2 = h·W2 + b2, p = softmax(z2), L = −mean Σ y·log p = %.10f\n", loss)
	// Backward, from the loss to the first layer.
	dz2 := make([]float64, len(p))
	for i := range p {
		dz2[i] = (p[i] - m.y[i]) / float64(m.n)
	}
	say("layer 2:  dL/dz2 = (p − y)/n           (softmax and cross-entropy together)\n")
	dw2 := matmul(h, dz2, m.hidden, m.n, m.out, true, false)
	db2 := sumRows(dz2, m.n, m.out)
	say("          dL/dW2 = hᵀ·dL/dz2,  dL/db2 = Σ_rows dL/dz2\n")
	dh := matmul(dz2, m.w2, m.n, m.out, m.hidden, false, true)
	say("          dL/dh  = dL/dz2·W2ᵀ          (the gradient flows back through W2)\n")
	dz1 := make([]float64, len(dh))
	for i := range dh {
		if z1[i] > 0 {
			dz1[i] = dh[i]
		}
	}
	say("layer 1:  dL/dz1 = dL/dh ⊙ [z1 > 0]    (relu passes gradient only where it was active)\n")
	dw1 := matmul(m.x, dz1, m.in, m.n, m.hidden, true, false)
	db1 := sumRows(dz1, m.n, m.hidden)
	say("          dL/dW1 = xᵀ·dL/dz1,  dL/db1 = Σ_rows dL/dz1\n")
	return loss, [4][]float64{dw1, db1, dw2, db2}
}

// symbolicGradients builds the same network as a Gorgonia graph from
// gokeras's blocks and returns the loss and Gorgonia's symbolic gradients.
func (m *net) symbolicGradients() (float64, [4][]float64, error) {
	g := G.NewGraph()
	mat := func(name string, d []float64, r, c int) *G.Node {
		return G.NewMatrix(g, G.Float64, G.WithShape(r, c), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(r, c), tensor.WithBacking(append([]float64(nil), d...)))))
	}
	x, y := mat("x", m.x, m.n, m.in), mat("y", m.y, m.n, m.out)
	w1, b1 := mat("W1", m.w1, m.in, m.hidden), mat("b1", m.b1, 1, m.hidden)
	w2, b2 := mat("W2", m.w2, m.hidden, m.out), mat("b2", m.b2, 1, m.out)
	z1, err := graph.Dense(x, w1, b1)
	if err != nil {
		return 0, [4][]float64{}, err
	}
	h, err := graph.ReLU(z1)
	if err != nil {
		return 0, [4][]float64{}, err
	}
	z2, err := graph.Dense(h, w2, b2)
	if err != nil {
		return 0, [4][]float64{}, err
	}
	loss, err := graph.CategoricalCrossentropyFromLogits(z2, y)
	if err != nil {
		return 0, [4][]float64{}, err
	}
	grads, err := G.Grad(loss, w1, b1, w2, b2)
	if err != nil {
		return 0, [4][]float64{}, err
	}
	var lv G.Value
	gv := make([]G.Value, 4)
	G.Read(loss, &lv)
	for i := range grads {
		G.Read(grads[i], &gv[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return 0, [4][]float64{}, err
	}
	var out [4][]float64
	for i := range gv {
		out[i] = gv[i].Data().([]float64)
	}
	return lv.Data().(float64), out, nil
}

// maxDiff returns the largest |a[i] − b[i]|.
func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func backprop(w io.Writer) error {
	m := newNet(3)
	hl, hand := m.handGradients(w)
	sl, sym, err := m.symbolicGradients()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "loss: by hand %.12f, Gorgonia %.12f\n", hl, sl)
	fmt.Fprintln(w, "parameter   first entries by hand              first entries from gorgonia.Grad   max |difference|")
	for i, name := range []string{"dL/dW1", "dL/db1", "dL/dW2", "dL/db2"} {
		fmt.Fprintf(w, "%-10s  %+.6f %+.6f %+.6f   %+.6f %+.6f %+.6f   %.1e\n", name,
			hand[i][0], hand[i][1], hand[i][2], sym[i][0], sym[i][1], sym[i][2], maxDiff(hand[i], sym[i]))
	}
	return nil
}
