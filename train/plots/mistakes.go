package plots

import (
	"fmt"
	"image"
	"image/color"
	imgdraw "image/draw"
	"io"
	"math"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The mistakes picture's layout, in pixels.
const (
	mistakeCols    = 6   // images a row
	mistakeMinSide = 112 // an image's longer side is at least this
	mistakeMinZoom = 4   // and at least this many times its pixels
	mistakePadX    = 24  // a cell's width beyond its image
	mistakePadY    = 48  // a cell's height beyond its image: margin and caption
)

// mistakesPNGSize returns the size in pixels of the PNG that
// WriteMistakes draws for n mistakes of h×w images.
func mistakesPNGSize(n, h, w int) (width, height int) {
	if n <= 0 || h <= 0 || w <= 0 {
		return 0, 0
	}
	s := mistakeZoom(h, w)
	cols, rows := min(mistakeCols, n), (n+mistakeCols-1)/mistakeCols
	return cols * (s*w + mistakePadX), rows * (s*h + mistakePadY)
}

// mistakeZoom returns the whole factor h×w images are scaled up by.
func mistakeZoom(h, w int) int {
	side := max(h, w)
	return max(mistakeMinZoom, (mistakeMinSide+side-1)/side)
}

// WriteMistakes draws ms, from train.FindMistakes, to w as a PNG grid, 6
// a row: each image dark on light (0 white, 1 black; values outside
// [0, 1] are clamped, a NaN is white), scaled up by a whole factor with
// nearest-neighbour sampling so that its pixels stay sharp, with a
// caption under it: "true 4, predicted 9" and then the prediction's
// probability and the row, "97.1%, row 1234".
//
// The size follows from len(ms) = n and the images' h×w: each image is
// scaled by s = max(4, ⌈112/max(h, w)⌉) and sits in a cell of
// (s·w + 24)×(s·h + 48) pixels, min(6, n) cells a row, in ⌈n/6⌉ rows.
// For 28×28 digits a cell is 136×160 pixels: 36 mistakes make an 816×960
// picture, 4 mistakes a 544×160 one.
//
// Bad input is an error: no mistakes, images of different sizes, a
// Mistake whose Image does not hold Height×Width values or whose sides
// are not in 1..10000 (naming it), a picture above 10000 pixels a side
// (too many mistakes: draw them in parts), and a nil writer.
func WriteMistakes(w io.Writer, ms []train.Mistake) error {
	if len(ms) == 0 {
		return errors.New("mistakes plot: no mistakes to draw")
	}
	h, wd := ms[0].Height, ms[0].Width
	for i, m := range ms {
		if m.Height <= 0 || m.Width <= 0 || m.Height > maxPNGSide || m.Width > maxPNGSide || len(m.Image) != m.Height*m.Width {
			return errors.Errorf("mistakes plot: mistake %d (row %d) has %d values for a %d×%d image", i, m.Index, len(m.Image), m.Height, m.Width)
		}
		if m.Height != h || m.Width != wd {
			return errors.Errorf("mistakes plot: mistake %d (row %d) is %d×%d, mistake 0 %d×%d; want one size", i, m.Index, m.Height, m.Width, h, wd)
		}
	}
	width, height := mistakesPNGSize(len(ms), h, wd)
	if width > maxPNGSide || height > maxPNGSide {
		return errors.Errorf("mistakes plot: %d mistakes of %d×%d make a %d×%d picture, above %d pixels a side; draw fewer at a time", len(ms), h, wd, width, height, maxPNGSide)
	}
	s := mistakeZoom(h, wd)
	cellW, cellH := s*wd+mistakePadX, s*h+mistakePadY
	return errors.Wrap(writePNG(w, width, height, func(c *vgimg.Canvas) error {
		dc := draw.New(c)
		img := c.Image()
		// Pixels to points: the canvas's y axis points up.
		pt := func(px float64) vg.Length { return vg.Length(px * vg.Inch.Points() / pngDPI) }
		for i, m := range ms {
			x0, y0 := (i%mistakeCols)*cellW+mistakePadX/2, (i/mistakeCols)*cellH+mistakePadX/4
			frame := image.Rect(x0-1, y0-1, x0+s*wd+1, y0+s*h+1)
			fillRect(img, frame, color.RGBA{R: 160, G: 160, B: 160, A: 255})
			for r := range h {
				for q := range wd {
					v := m.Image[r*wd+q]
					g := uint8(255)
					if v == v { // not NaN
						g = uint8(math.Round(255 * (1 - math.Min(1, math.Max(0, float64(v))))))
					}
					fillRect(img, image.Rect(x0+q*s, y0+r*s, x0+(q+1)*s, y0+(r+1)*s), color.RGBA{R: g, G: g, B: g, A: 255})
				}
			}
			cx := float64(x0) + float64(s*wd)/2
			below := float64(y0 + s*h + 4)
			sty := text.Style{
				Color:   color.Black,
				Font:    font.From(plot.DefaultFont, vg.Points(9)),
				XAlign:  draw.XCenter,
				YAlign:  draw.YTop,
				Handler: plot.DefaultTextHandler,
			}
			for _, line := range []string{
				fmt.Sprintf("true %d, predicted %d", m.True, m.Predicted),
				fmt.Sprintf("%.1f%%, row %d", 100*m.Probability, m.Index),
			} {
				ls := sty
				if tw := ls.Width(line); tw > pt(float64(cellW-4)) {
					ls.Font.Size *= pt(float64(cellW-4)) / tw
				}
				dc.FillText(ls, vg.Point{X: pt(cx), Y: pt(float64(height) - below)}, line)
				below += float64(ls.Height(line)) * pngDPI / vg.Inch.Points()
			}
		}
		return nil
	}), "mistakes plot")
}

// SaveMistakes writes ms's PNG (see WriteMistakes) to path, atomically:
// path holds either its previous content or the whole new picture.
// Errors (those of WriteMistakes, and failures to write) name the path.
func SaveMistakes(path string, ms []train.Mistake) error {
	return savePNG(path, "mistakes plot", func(w io.Writer) error { return WriteMistakes(w, ms) })
}

// fillRect paints r of img with col.
func fillRect(img imgdraw.Image, r image.Rectangle, col color.RGBA) {
	imgdraw.Draw(img, r, image.NewUniform(col), image.Point{}, imgdraw.Src)
}
