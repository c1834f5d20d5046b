package main

import (
	"fmt"
	"io"

	G "gorgonia.org/gorgonia"
)

// cubic builds f(x) = x³ − 2x² + 3 on the scalar node x.
func cubic(x *G.Node) (*G.Node, error) {
	x2, err := G.Mul(x, x)
	if err != nil {
		return nil, err
	}
	x3, err := G.Mul(x2, x)
	if err != nil {
		return nil, err
	}
	t, err := G.Sub(x3, G.Must(G.Mul(G.NewConstant(2.0), x2)))
	if err != nil {
		return nil, err
	}
	return G.Add(t, G.NewConstant(3.0))
}

// symbolicDerivative returns f(x) and f′(x) from Gorgonia's Grad.
func symbolicDerivative(build func(*G.Node) (*G.Node, error), at float64) (f, df float64, err error) {
	g := G.NewGraph()
	x := G.NewScalar(g, G.Float64, G.WithName("x"), G.WithValue(at))
	y, err := build(x)
	if err != nil {
		return 0, 0, err
	}
	grads, err := G.Grad(y, x)
	if err != nil {
		return 0, 0, err
	}
	var yv, gv G.Value
	G.Read(y, &yv)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return 0, 0, err
	}
	return yv.Data().(float64), gv.Data().(float64), nil
}

func derivative(w io.Writer) error {
	fmt.Fprintln(w, "   x     f(x)      f′(x) symbolic   (f(x+h) − f(x−h)) / 2h   3x² − 4x by hand")
	const h = 1e-5
	for _, x := range []float64{-1, 0, 0.5, 4.0 / 3, 2} {
		f, df, err := symbolicDerivative(cubic, x)
		if err != nil {
			return err
		}
		up, _, err := symbolicDerivative(cubic, x+h)
		if err != nil {
			return err
		}
		down, _, err := symbolicDerivative(cubic, x-h)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%6.3f  %8.4f  %14.10f   %22.10f   %16.10f\n", x, f, df, (up-down)/(2*h), 3*x*x-4*x)
	}
	fmt.Fprintln(w, "The derivative is 0 at x = 4/3, the local minimum: the slope says which way is down.")
	return nil
}
