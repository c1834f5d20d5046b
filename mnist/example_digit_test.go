package mnist_test

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"log"

	"github.com/gokeras/gokeras/mnist"
)

// Turn a user's drawing into what a model trained on MNIST takes: here a
// black "7", a bar 80×20 pixels over a stem 20×90, 80×110 in all, on a
// white 200×150 canvas. It comes out light on dark, 20 pixels tall and 15
// wide (its aspect ratio kept), its centre of mass moved to within half a
// pixel of (14, 14).
func ExampleDigit() {
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(40, 20, 120, 40), image.NewUniform(color.Black), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(92, 40, 112, 130), image.NewUniform(color.Black), image.Point{}, draw.Src)

	x, err := mnist.Digit(img) // or mnist.DecodeDigit(file) for a PNG, JPEG or GIF
	if err != nil {
		log.Fatal(err)
	}
	box := image.Rectangle{}
	var mass, mx, my float64
	for i, v := range x {
		col, row := i%28, i/28
		if v > 0.5 {
			box = box.Union(image.Rect(col, row, col+1, row+1))
		}
		mass += float64(v)
		mx += float64(v) * float64(col)
		my += float64(v) * float64(row)
	}
	fmt.Println(len(x), "values; ink above 0.5 in columns", box.Min.X, "to", box.Max.X-1, "and rows", box.Min.Y, "to", box.Max.Y-1)
	fmt.Printf("centre of mass: (%.1f, %.1f)\n", mx/mass, my/mass)
	// Output:
	// 784 values; ink above 0.5 in columns 5 to 19 and rows 7 to 26
	// centre of mass: (14.2, 13.6)
}
