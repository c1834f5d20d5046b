package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	trainingColour   = color.RGBA{R: 31, G: 119, B: 180, A: 255} // blue
	validationColour = color.RGBA{R: 230, G: 97, B: 1, A: 255}   // orange
	gridColour       = color.RGBA{R: 225, G: 225, B: 225, A: 255}
)

// WriteHistory draws h, a History from Fit, as a PNG of width×height
// pixels to w: one panel per quantity, side by side, "loss" first and
// then each metric in the order of h.Names. A panel shows the training values and, where h has them,
// the "val_" values of the same quantity, against the epoch numbered from
// 1 (h.Epochs are 0-based), with point markers, distinct colours and
// dashes, and a legend. Values that callbacks add ("learning_rate", "lr")
// get no panel. A value of a quantity recorded at fewer epochs than
// h.Epochs is drawn at the first epochs.
//
// Non-finite values (a NaN or infinite loss of a run that diverged) are
// left out: the line breaks there and the panel's title counts them.
//
// Bad input is an error, never a panic or a hang: a nil history, one
// with no epochs, epochs that do not increase or are negative, a quantity
// with more values than epochs, one whose finite values span more than a
// float64 holds (−1e308 to 1e308), nothing to draw, a nil writer, and a
// width or height that is not in 1..10000. The same history and size
// give the same bytes.
func WriteHistory(w io.Writer, h *train.History, width, height int) error {
	ps, err := panels(h)
	if err != nil {
		return errors.Wrap(err, "history plot")
	}
	return errors.Wrap(writePNG(w, width, height, func(c *vgimg.Canvas) error {
		plots := [][]*plot.Plot{make([]*plot.Plot, len(ps))}
		for i, p := range ps {
			pl, err := p.plot()
			if err != nil {
				return errors.Wrapf(err, "panel %q", p.name)
			}
			plots[0][i] = pl
		}
		tiles := draw.Tiles{
			Rows: 1, Cols: len(ps),
			PadX:   vg.Points(12),
			PadTop: vg.Points(6), PadBottom: vg.Points(6),
			PadLeft: vg.Points(6), PadRight: vg.Points(10),
		}
		canvases := plot.Align(plots, tiles, draw.New(c))
		for i, pl := range plots[0] {
			pl.Draw(canvases[0][i])
		}
		return nil
	}), "history plot")
}

// SaveHistory writes h's PNG, 1200×500 pixels (see WriteHistory), to
// path, atomically: path holds either its previous content or the whole
// new picture. Errors (those of WriteHistory, and failures to write) name
// the path.
func SaveHistory(path string, h *train.History) error {
	return savePNG(path, "history plot", func(w io.Writer) error { return WriteHistory(w, h, 1200, 500) })
}

// historyPanel is one quantity's values: training and validation.
type historyPanel struct {
	name       string
	epochs     []int // 0-based, as train.History.Epochs
	train, val []float64
	hasTrain   bool
	hasVal     bool
}

// callbackValues are values callbacks add to the logs, which get no panel.
var callbackValues = map[string]bool{"learning_rate": true, "lr": true}

// panels checks h and returns its quantities: "loss" first, then the
// others in the order of h.Names; a "val_x" joins x's panel.
func panels(h *train.History) ([]historyPanel, error) {
	if h == nil {
		return nil, errors.New("nil history")
	}
	if len(h.Epochs) == 0 {
		return nil, errors.New("the history has no epochs")
	}
	for i, e := range h.Epochs {
		if e < 0 {
			return nil, errors.Errorf("epoch %d at index %d is negative", e, i)
		}
		if i > 0 && e <= h.Epochs[i-1] {
			return nil, errors.Errorf("epochs do not increase: %d follows %d at index %d", e, h.Epochs[i-1], i)
		}
	}
	var bases []string
	seen := map[string]bool{}
	addBase := func(b string) {
		if !seen[b] && !callbackValues[b] {
			seen[b] = true
			bases = append(bases, b)
		}
	}
	names := h.Names
	if _, ok := h.Values["loss"]; ok {
		names = append([]string{"loss"}, names...)
	} else if _, ok := h.Values["val_loss"]; ok {
		names = append([]string{"val_loss"}, names...)
	}
	for _, name := range names {
		if _, ok := h.Values[name]; !ok {
			continue
		}
		addBase(strings.TrimPrefix(name, "val_"))
	}
	if len(bases) == 0 {
		return nil, errors.Errorf("nothing to draw: no loss or metric among %q", h.Names)
	}
	ps := make([]historyPanel, len(bases))
	for i, b := range bases {
		p := historyPanel{name: b, epochs: h.Epochs}
		p.train, p.hasTrain = h.Values[b]
		p.val, p.hasVal = h.Values["val_"+b]
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, name := range []string{b, "val_" + b} {
			if n := len(h.Values[name]); n > len(h.Epochs) {
				return nil, errors.Errorf("%q has %d values for %d epochs", name, n, len(h.Epochs))
			}
			for _, v := range h.Values[name] {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
		}
		if math.IsInf(hi-lo, 0) && !math.IsInf(lo, 0) {
			return nil, errors.Errorf("the values of %q span %v to %v, a range too wide to draw", b, lo, hi)
		}
		ps[i] = p
	}
	return ps, nil
}

// acronyms are metric names that are written in capitals.
var acronyms = map[string]bool{"mae": true, "mse": true, "rmse": true, "mape": true, "msle": true, "auc": true}

// title turns "mean_absolute_error" into "Mean absolute error", and
// "mae" into "MAE".
func title(name string) string {
	if acronyms[name] {
		return strings.ToUpper(name)
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// series returns the finite points of vs at epochs (1-based x), split
// into runs between non-finite values, and how many were left out.
func series(epochs []int, vs []float64) (runs []plotter.XYs, all plotter.XYs, skipped int) {
	var run plotter.XYs
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			skipped++
			if len(run) > 0 {
				runs = append(runs, run)
				run = nil
			}
			continue
		}
		pt := plotter.XY{X: float64(epochs[i] + 1), Y: v}
		run = append(run, pt)
		all = append(all, pt)
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	return runs, all, skipped
}

// plot builds the panel's plot.
func (hp historyPanel) plot() (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "Epoch"
	p.Y.Label.Text = hp.name
	p.X.Tick.Marker = epochTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColour, gridColour
	p.Add(grid)
	skipped := 0
	var first, last float64
	var haveTrend bool
	for _, s := range []struct {
		label  string
		vs     []float64
		has    bool
		colour color.Color
		dashes []vg.Length
		glyph  draw.GlyphDrawer
	}{
		{"training", hp.train, hp.hasTrain, trainingColour, nil, draw.CircleGlyph{}},
		{"validation", hp.val, hp.hasVal, validationColour, []vg.Length{vg.Points(6), vg.Points(3)}, draw.SquareGlyph{}},
	} {
		if !s.has {
			continue
		}
		runs, all, n := series(hp.epochs, s.vs)
		skipped += n
		style := draw.LineStyle{Color: s.colour, Width: vg.Points(1.5), Dashes: s.dashes}
		glyphs := draw.GlyphStyle{Color: s.colour, Radius: vg.Points(3), Shape: s.glyph}
		for _, run := range runs {
			l, err := plotter.NewLine(run)
			if err != nil {
				return nil, err
			}
			l.LineStyle = style
			p.Add(l)
		}
		sc, err := plotter.NewScatter(all)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = glyphs
		p.Add(sc)
		// The legend's thumbnails: the style, whatever the points.
		p.Legend.Add(s.label, &plotter.Line{LineStyle: style}, &plotter.Scatter{GlyphStyle: glyphs})
		if !haveTrend && len(all) > 1 {
			first, last, haveTrend = all[0].Y, all[len(all)-1].Y, true
		}
	}
	// A falling curve (a loss) leaves the top right free, a rising one
	// (an accuracy) the bottom right.
	p.Legend.Top = !haveTrend || last <= first
	p.Legend.XOffs = -vg.Points(4)
	if p.Legend.Top {
		p.Legend.YOffs = -vg.Points(4)
	} else {
		p.Legend.YOffs = vg.Points(4)
	}
	p.Title.Text = title(hp.name)
	switch {
	case skipped == 1:
		p.Title.Text += " (1 non-finite value left out)"
	case skipped > 1:
		p.Title.Text += fmt.Sprintf(" (%d non-finite values left out)", skipped)
	}
	// The epoch axis spans the epochs even where values are missing.
	lo, hi := float64(hp.epochs[0]+1), float64(hp.epochs[len(hp.epochs)-1]+1)
	p.X.Min, p.X.Max = math.Min(p.X.Min, lo), math.Max(p.X.Max, hi)
	if p.X.Min == p.X.Max { // one epoch: half an epoch each side
		p.X.Min, p.X.Max = p.X.Min-0.5, p.X.Max+0.5
	}
	return p, nil
}

// epochTicks marks whole epochs (1 and up): every one when there are
// few, else every 2nd, 5th, 10th, … with the others as minor ticks.
type epochTicks struct{}

func (epochTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Max(1, math.Ceil(lo))), int(math.Floor(hi))
	if last < first || last-first > 1e7 {
		return nil
	}
	n := last - first + 1
	step := 1
	for i := 0; n/step > 10; i++ {
		step = []int{1, 2, 5}[(i+1)%3] * int(math.Pow10((i+1)/3))
	}
	var ticks []plot.Tick
	for e := first; e <= last; e++ {
		switch {
		case e%step == 0 || step == 1:
			ticks = append(ticks, plot.Tick{Value: float64(e), Label: fmt.Sprint(e)})
		case n <= 100:
			ticks = append(ticks, plot.Tick{Value: float64(e)})
		}
	}
	return ticks
}
