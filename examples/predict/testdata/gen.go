//go:build ignore

// gen.go writes the digits 0 to 9 in the Go fonts (regular and medium
// italic), white on black and black on white, as 160×160 PNGs: digits a
// user might give examples/predict, for its tests and to try it.
//
//	cd examples/predict/testdata && go run gen.go
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomediumitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

func main() {
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{"regular", goregular.TTF}, {"italic", gomediumitalic.TTF}} {
		ft, err := opentype.Parse(f.ttf)
		if err != nil {
			log.Fatal(err)
		}
		face, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: 120, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			log.Fatal(err)
		}
		for d := 0; d <= 9; d++ {
			for _, p := range []struct {
				name       string
				ink, paper color.Gray
			}{{"white-on-black", color.Gray{255}, color.Gray{0}}, {"black-on-white", color.Gray{0}, color.Gray{255}}} {
				img := image.NewGray(image.Rect(0, 0, 160, 160))
				draw.Draw(img, img.Bounds(), image.NewUniform(p.paper), image.Point{}, draw.Src)
				s := fmt.Sprint(d)
				dr := &font.Drawer{Dst: img, Src: image.NewUniform(p.ink), Face: face}
				w := dr.MeasureString(s)
				dr.Dot = fixed.Point26_6{X: (fixed.I(160) - w) / 2, Y: fixed.I(125)}
				dr.DrawString(s)
				out, err := os.Create(fmt.Sprintf("%d-%s-%s.png", d, f.name, p.name))
				if err != nil {
					log.Fatal(err)
				}
				if err := png.Encode(out, img); err != nil {
					log.Fatal(err)
				}
				if err := out.Close(); err != nil {
					log.Fatal(err)
				}
			}
		}
	}
}
