package digitstest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"golang.org/x/image/draw"
)

// Picture draws an MNIST digit (784 bytes, 0 is background) as a w×h
// picture with ink on paper, scaled bilinearly: the kind of image a user
// gives, made from a digit whose class the model's answer on the original
// tells.
func Picture(digit []uint8, w, h int, ink, paper color.RGBA) image.Image {
	small := image.NewRGBA(image.Rect(0, 0, 28, 28))
	for i, v := range digit {
		t := float64(v) / 255
		mix := func(a, b uint8) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t + 0.5) }
		small.SetRGBA(i%28, i/28, color.RGBA{mix(paper.R, ink.R), mix(paper.G, ink.G), mix(paper.B, ink.B), 255})
	}
	big := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(big, big.Bounds(), small, small.Bounds(), draw.Src, nil)
	return big
}

// PNG encodes img as a PNG.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory RGBA image cannot fail
	}
	return b.Bytes()
}
