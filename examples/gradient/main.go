// Command gradient walks through section 2.4 of the lesson, gradient-based
// optimisation, in four runnable parts:
//
//  1. the derivative of a scalar function from Gorgonia's symbolic Grad,
//     next to a finite difference;
//  2. gradient descent walking down a function of two variables;
//  3. mini-batch SGD fitting a linear model with gokeras's Fit;
//  4. backpropagation through a two-layer network done by hand with the
//     chain rule, layer by layer, beside Gorgonia's symbolic gradient.
//
// (The lesson's naive_backpropagation multiplies the inputs by the
// targets; that is not a gradient. Part 4 is the real thing.)
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gradient:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	parts := []struct {
		title string
		f     func(io.Writer) error
	}{
		{"1. A derivative: f(x) = x³ − 2x² + 3", derivative},
		{"2. Gradient descent on f(x, y) = (x − 1)² + 2(y + 0.5)²", descent},
		{"3. Mini-batch SGD fitting y = 3x − 2 from noisy samples", linearSGD},
		{"4. Backpropagation by hand through Dense(5, relu) → Dense(3, softmax)", backprop},
	}
	for i, p := range parts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, p.title)
		if err := p.f(w); err != nil {
			return fmt.Errorf("%s: %w", p.title, err)
		}
	}
	return nil
}
