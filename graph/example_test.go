package graph_test

import (
	"fmt"
	"log"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Softmax stays exact where the naive formula overflows: exp(1000) is
// +Inf in float64.
func ExampleSoftmax() {
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1000, 1000, 0, -1, 0, 1}))))
	y, err := graph.Softmax(x)
	if err != nil {
		log.Fatal(err)
	}
	var v G.Value
	G.Read(y, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", v.Data())
	// Output: [0.5000 0.5000 0.0000 0.0900 0.2447 0.6652]
}

// The gradient of a dense layer's mean output with respect to its bias,
// from Gorgonia's symbolic differentiation: 1/out for each unit.
func ExampleDense() {
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(2, 2), G.WithName("x"), G.WithInit(G.Ones()))
	w := G.NewMatrix(g, G.Float64, G.WithShape(2, 4), G.WithName("w"), G.WithInit(G.Ones()))
	b := G.NewMatrix(g, G.Float64, G.WithShape(1, 4), G.WithName("b"), G.WithInit(G.Zeroes()))
	y, err := graph.Dense(x, w, b)
	if err != nil {
		log.Fatal(err)
	}
	cost := G.Must(G.Mean(y))
	grads, err := G.Grad(cost, b)
	if err != nil {
		log.Fatal(err)
	}
	var yv, gv G.Value
	G.Read(y, &yv)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(yv.Data(), gv.Data())
	// Output: [2 2 2 2 2 2 2 2] [0.25 0.25 0.25 0.25]
}
