package main

import (
	"fmt"
	"io"

	G "gorgonia.org/gorgonia"
)

// bowl builds f(x, y) = (x − 1)² + 2(y + 0.5)², lowest (0) at (1, −0.5).
func bowl(x, y *G.Node) (*G.Node, error) {
	dx, err := G.Sub(x, G.NewConstant(1.0))
	if err != nil {
		return nil, err
	}
	dy, err := G.Add(y, G.NewConstant(0.5))
	if err != nil {
		return nil, err
	}
	a, err := G.Square(dx)
	if err != nil {
		return nil, err
	}
	b, err := G.Square(dy)
	if err != nil {
		return nil, err
	}
	return G.Add(a, G.Must(G.Mul(G.NewConstant(2.0), b)))
}

// gradientDescent runs steps of p ← p − lr·∇f(p) from (x0, y0), with the
// gradient from Gorgonia, calling visit before each step and after the
// last. It returns the final point.
func gradientDescent(x0, y0, lr float64, steps int, visit func(step int, x, y, loss float64)) (float64, float64, error) {
	g := G.NewGraph()
	x := G.NewScalar(g, G.Float64, G.WithName("x"), G.WithValue(x0))
	y := G.NewScalar(g, G.Float64, G.WithName("y"), G.WithValue(y0))
	f, err := bowl(x, y)
	if err != nil {
		return 0, 0, err
	}
	grads, err := G.Grad(f, x, y)
	if err != nil {
		return 0, 0, err
	}
	var fv, gx, gy G.Value
	G.Read(f, &fv)
	G.Read(grads[0], &gx)
	G.Read(grads[1], &gy)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	px, py := x0, y0
	for s := 0; ; s++ {
		if err := G.Let(x, px); err != nil {
			return 0, 0, err
		}
		if err := G.Let(y, py); err != nil {
			return 0, 0, err
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, 0, err
		}
		visit(s, px, py, fv.Data().(float64))
		if s == steps {
			return px, py, nil
		}
		px -= lr * gx.Data().(float64)
		py -= lr * gy.Data().(float64)
	}
}

func descent(w io.Writer) error {
	fmt.Fprintln(w, "step        x        y     loss")
	_, _, err := gradientDescent(-2, 2, 0.1, 30, func(s int, x, y, loss float64) {
		if s%3 == 0 {
			fmt.Fprintf(w, "%4d  %7.4f  %7.4f  %7.5f\n", s, x, y, loss)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Each step moves against the gradient; the walk ends near the minimum (1, −0.5).")
	return nil
}
