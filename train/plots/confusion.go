package plots

import (
	"fmt"
	"image/color"
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

// WriteConfusion draws m, from train.NewConfusionMatrix, as a PNG heat
// map of width×height pixels to w: a row per true class, class 0 at the
// top, a column per predicted class, the count written in every cell,
// axes "Predicted" and "True", and the accuracy in the title.
//
// The colour scale is logarithmic, from white (0) to dark blue (the
// largest count), by log(1+count)/log(1+largest count): the diagonal
// dominates a good classifier's matrix, and on a linear scale its few
// mistakes would all look white. A cell's count is written in white on
// dark cells and in black on light ones, a 0 in grey.
//
// Bad input is an error: a malformed m (nil, not square, fewer than 2
// classes, a negative count: see ConfusionMatrix.Check), a nil writer,
// and a width or height that is not in 1..10000.
func WriteConfusion(w io.Writer, m *train.ConfusionMatrix, width, height int) error {
	if err := m.Check(); err != nil {
		return errors.Wrap(err, "confusion matrix plot")
	}
	return errors.Wrap(writePNG(w, width, height, func(c *vgimg.Canvas) error {
		k := m.Classes()
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Confusion matrix: accuracy %.4f (%d of %d right)", m.Accuracy(), m.Correct(), m.Total())
		p.Title.Padding = vg.Points(6)
		p.X.Label.Text, p.Y.Label.Text = "Predicted", "True"
		p.X.Padding, p.Y.Padding = 0, 0
		p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
		p.X.Tick.Marker, p.Y.Tick.Marker = classTicks(k), classTicks(k)
		p.Add(confusionCells{m})
		p.X.Min, p.X.Max = -0.5, float64(k)-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(k)-0.5
		dc := draw.New(c)
		pad := vg.Points(8)
		p.Draw(draw.Crop(dc, pad, -pad, pad, -pad))
		return nil
	}), "confusion matrix plot")
}

// SaveConfusion writes m's PNG, 800×700 pixels (see WriteConfusion), to
// path, atomically: path holds either its previous content or the whole
// new picture. Errors (those of WriteConfusion, and failures to write)
// name the path.
func SaveConfusion(path string, m *train.ConfusionMatrix) error {
	return savePNG(path, "confusion matrix plot", func(w io.Writer) error { return WriteConfusion(w, m, 800, 700) })
}

// classTicks marks the classes 0..k-1: every one up to 20 classes, else
// every 5th, 10th, … so that the labels do not overlap.
func classTicks(k int) plot.ConstantTicks {
	step := 1
	for i := 0; k/step > 20; i++ {
		step = []int{5, 10}[i%2] * int(math.Pow10(i/2))
	}
	var ticks plot.ConstantTicks
	for c := 0; c < k; c += step {
		ticks = append(ticks, plot.Tick{Value: float64(c), Label: fmt.Sprint(c)})
	}
	return ticks
}

// confusionCells draws the heat map's cells and counts.
type confusionCells struct{ m *train.ConfusionMatrix }

func (cc confusionCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	k := float64(cc.m.Classes())
	return -0.5, k - 0.5, -0.5, k - 0.5
}

func (cc confusionCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	largest := 0
	for _, row := range cc.m.Counts {
		for _, v := range row {
			largest = max(largest, v)
		}
	}
	border := draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	for t, row := range cc.m.Counts {
		for q, v := range row {
			x0, x1 := trX(float64(q)-0.5), trX(float64(q)+0.5)
			y0, y1 := trY(float64(t)-0.5), trY(float64(t)+0.5)
			cell := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			fill := heatColour(v, largest)
			c.FillPolygon(fill, cell)
			c.StrokeLines(border, append(cell, cell[0]))
			label := fmt.Sprint(v)
			sty := text.Style{
				Color:   contrasting(fill, v),
				Font:    font.From(plot.DefaultFont, vg.Points(11)),
				XAlign:  draw.XCenter,
				YAlign:  draw.YCenter,
				Handler: p.TextHandler,
			}
			// Shrink the text to fit the cell; leave out what would be
			// too small to read.
			w, h := vg.Length(math.Abs(float64(x1-x0))), vg.Length(math.Abs(float64(y1-y0)))
			if tw := sty.Width(label); tw > 0.85*w {
				sty.Font.Size *= 0.85 * w / tw
			}
			sty.Font.Size = min(sty.Font.Size, 0.6*h)
			if sty.Font.Size < vg.Points(4) {
				continue
			}
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, label)
		}
	}
}

// heatStops are the colour scale's colours at 0, ½ and 1: white to dark
// blue through a middle blue.
var heatStops = [3][3]float64{{247, 251, 255}, {107, 174, 214}, {8, 48, 107}}

// heatColour is count's colour on the logarithmic scale up to largest.
func heatColour(count, largest int) color.RGBA {
	if count <= 0 || largest <= 0 {
		return color.RGBA{R: 255, G: 255, B: 255, A: 255}
	}
	f := math.Log1p(float64(count)) / math.Log1p(float64(largest))
	lo, hi, u := heatStops[0], heatStops[1], f*2
	if f > 0.5 {
		lo, hi, u = heatStops[1], heatStops[2], f*2-1
	}
	mix := func(i int) uint8 { return uint8(math.Round(lo[i] + (hi[i]-lo[i])*u)) }
	return color.RGBA{R: mix(0), G: mix(1), B: mix(2), A: 255}
}

// contrasting returns the colour of count's text on bg: black or white,
// whichever reads better, or grey for a 0, which matters least.
func contrasting(bg color.RGBA, count int) color.Color {
	lum := 0.2126*float64(bg.R) + 0.7152*float64(bg.G) + 0.0722*float64(bg.B)
	switch {
	case lum < 140:
		return color.White
	case count == 0:
		return color.Gray{Y: 150}
	}
	return color.Black
}
