package mnist

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"reflect"
	"slices"

	"github.com/pkg/errors"
	"golang.org/x/image/draw"
)

// MaxDigitBytes is the largest encoded image DecodeDigit reads: 16 MiB.
// A longer input is refused after reading MaxDigitBytes+1 bytes of it.
const MaxDigitBytes = 16 << 20

// MaxDigitPixels is the largest width×height DecodeDigit decodes and
// Digit accepts: 4096×4096, a 16-megapixel photograph. DecodeDigit reads
// the dimensions from the image's header and refuses a larger image before
// decoding it, so a small file that claims to be huge costs no memory. One
// within the limit costs 8 bytes a pixel for an 8-bit PNG (the decoded
// image and a grey copy) and up to about 20 for a 16-bit PNG or a
// progressive JPEG, whose decoder keeps every coefficient: some 320 MiB at
// the limit. A server should refuse large images first (examples/serve
// takes at most 2048×2048).
const MaxDigitPixels = 4096 * 4096

const (
	// digitSide is the side of an MNIST image, digitBox the side of the
	// box the digit is scaled to fit, and digitCentre the 0-based pixel
	// coordinate its centre of mass is moved to. Over the 10,000 MNIST
	// test digits, Σ v·i / Σ v (i the 0-based row or column) averages
	// 14.008 across and 13.993 down and always lies in [13.5, 14.5]: LeCun
	// et al. moved it, by whole pixels, to 14.
	digitSide   = 28
	digitBox    = 20
	digitCentre = 14

	// digitNoiseFloor: after stretching (background 0, extreme ink 1),
	// values below it are noise — paper texture, JPEG ringing, shadows —
	// and become 0. Over MNIST digits enlarged 3× and read back (see
	// TestDecodeDigitMNISTRoundTrip), floors of 0.02 to 0.1 differ by
	// less than 0.002 in mean absolute difference; 0.1 leaves more margin
	// for photographs.
	digitNoiseFloor = 0.1

	// digitMinContrast: an image none of whose pixels differs from the
	// background by this much (of the full range 0–1) is blank.
	digitMinContrast = 0.05
)

// areaAverage is the box kernel: shrinking with it, each output pixel is
// the mean of the source pixels whose centres it covers, the fraction of
// it the ink covers — how a bilevel scan becomes grey levels. Enlarging
// with it would be nearest-neighbour, so Digit enlarges with BiLinear.
var areaAverage = &draw.Kernel{Support: 0.5, At: func(float64) float64 { return 1 }}

var errBlank = errors.New("mnist: no digit: the image is blank")

// DecodeDigit reads one PNG, JPEG or GIF image of a single handwritten
// digit from r and returns it as MNIST made its digits: 28×28 = 784 grey
// values in [0, 1], row-major, the digit light on a dark background — the
// layout of a row of Flatten's output. Digit describes the preprocessing.
// Of an animated GIF, the first frame is used.
//
// It reads at most MaxDigitBytes+1 bytes from r. Bad input is an error
// that says what is wrong with the content (the caller adds the file
// name), never a panic: an empty input; more than MaxDigitBytes bytes;
// data that is not a PNG, JPEG or GIF image; an image with no pixels or
// more than MaxDigitPixels of them (refused from its header, before
// decoding); truncated or corrupt data (the decoder's error, wrapped); a
// blank image, or ink too faint or too small to survive scaling (see
// Digit); and an error from r itself (wrapped).
func DecodeDigit(r io.Reader) ([]float32, error) {
	if r == nil {
		return nil, errors.New("mnist: nil reader")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxDigitBytes+1))
	if err != nil {
		return nil, errors.Wrap(err, "mnist: reading the image")
	}
	switch {
	case len(data) == 0:
		return nil, errors.New("mnist: empty input: no image")
	case len(data) > MaxDigitBytes:
		return nil, errors.Errorf("mnist: the image is larger than the size limit of %d bytes (MaxDigitBytes)", MaxDigitBytes)
	}
	format, decodeConfig, decode := sniff(data)
	if decode == nil {
		return nil, errors.New("mnist: not a PNG, JPEG or GIF image")
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errors.Wrapf(err, "mnist: corrupt %s header", format)
	}
	if err := checkDigitSize(format, cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, errors.Wrapf(err, "mnist: corrupt or truncated %s image", format)
	}
	return Digit(img)
}

// sniff tells the format of data from its first bytes, the signatures
// that image/png, image/jpeg and image/gif register. It calls those
// decoders directly, so no other format registered with package image is
// accepted.
func sniff(data []byte) (string, func(io.Reader) (image.Config, error), func(io.Reader) (image.Image, error)) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG", png.DecodeConfig, png.Decode
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return "JPEG", jpeg.DecodeConfig, jpeg.Decode
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "GIF", gif.DecodeConfig, gif.Decode
	}
	return "", nil, nil
}

// checkDigitSize refuses an image of w×h pixels with no pixels or more
// than MaxDigitPixels.
func checkDigitSize(what string, w, h int) error {
	if w <= 0 || h <= 0 {
		return errors.Errorf("mnist: the %s is %d×%d pixels: it has no pixels", what, w, h)
	}
	if w > MaxDigitPixels/h { // w·h > MaxDigitPixels, without overflowing a 32-bit int
		return errors.Errorf("mnist: the %s is %d×%d pixels, over the size limit of %d pixels (MaxDigitPixels)", what, w, h, MaxDigitPixels)
	}
	return nil
}

// Digit turns an image of one handwritten digit into an MNIST sample,
// the way LeCun et al. made MNIST from NIST's scans: 28×28 = 784 grey
// values in [0, 1], row-major, the digit light on a dark background, the
// layout of a row of Flatten's output (pixel/255). The steps:
//
//  1. Grey: each pixel's luminance, 0.299 R + 0.587 G + 0.114 B of the
//     encoded values (color.GrayModel's weights). Transparent and
//     translucent pixels are composited over white first, as a browser
//     shows a transparent PNG; so light ink on a transparent background
//     vanishes, and dark ink on one works. Uneven light, as in a
//     photograph of paper lit from one side, is evened out: a smooth
//     surface fitted to the outermost ring of pixels (the background)
//     divides the image (see evenLight); evenly lit images are left
//     exactly as they are.
//  2. Polarity and contrast: the background is the median of the
//     outermost ring of pixels, and the ink is whichever extreme of the
//     image, darkest or lightest, lies farther from it: dark ink on light
//     paper is inverted to MNIST's light on dark. Levels are then
//     stretched so that the background maps to 0 and the extreme ink to
//     1, clamped; this removes the grey of paper and the haze of JPEG.
//     Stretched values below 0.1 are noise (paper texture, compression
//     ringing, faint shadows) and become 0.
//  3. Crop to the bounding box of the remaining ink, leaving out specks:
//     ink cut off from the digit by a band of empty columns or rows (a
//     twentieth of the ink's extent wide), holding at most 2% of the ink
//     in all (dust, a dot, a mark at the edge of the paper).
//  4. Scale the crop so that its longer side is 20 pixels, keeping its
//     aspect ratio (a thin "1" may become 1×20 or 2×20; no side is less
//     than 1 pixel), with golang.org/x/image/draw's Kernel.Scale: shrinking,
//     with a box kernel, so each output pixel is the mean of the source
//     pixels it covers, the anti-aliasing that turned NIST's bilevel scans
//     into MNIST's grey levels; enlarging, with BiLinear. Then stretch
//     again so the brightest pixel is 1, as in MNIST, where every digit's
//     brightest pixel is 254 or 255. (A digit drawn with a pen much finer
//     than a tenth of its height comes out as a fainter, thinner stroke
//     than MNIST's.)
//  5. Place it in the 28×28 field, moved by whole pixels so that its
//     centre of mass, Σ v·i / Σ v with i the 0-based row or column, is
//     as near 14 as whole pixels allow, as in MNIST; ink moved past an
//     edge is cut off.
//
// Bad input is an error, never a panic: a nil image; one with no pixels
// or more than MaxDigitPixels; a blank one, in which no pixel differs
// from the background by more than 5% of the range from black to white
// ("no digit: the image is blank"); and one whose ink is too faint or too
// small to leave anything once scaled to 20 pixels.
func Digit(img image.Image) ([]float32, error) {
	if img == nil {
		return nil, errors.New("mnist: nil image")
	}
	if v := reflect.ValueOf(img); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, errors.Errorf("mnist: nil image (a nil %T)", img)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, errors.Errorf("mnist: the image has no pixels (bounds %v)", b)
	}
	if err := checkDigitSize("image", b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	w, h := b.Dx(), b.Dy()
	grey := luminance(img, b)
	evenLight(grey, w, h)

	// 2. Background, polarity, stretch.
	bg := median(ring(grey, w, h))
	lo, hi := slices.Min(grey), slices.Max(grey)
	ink := hi
	if bg-lo > hi-bg {
		ink = lo
	}
	if math.Abs(float64(ink-bg)) <= digitMinContrast {
		return nil, errBlank
	}
	scale := 1 / (ink - bg)
	x0, y0, x1, y1 := w, h, -1, -1
	for y := range h {
		row := grey[y*w : (y+1)*w]
		for x, v := range row {
			s := (v - bg) * scale
			if s < digitNoiseFloor {
				s = 0
			} else if s > 1 {
				s = 1
			}
			row[x] = s
			if s > 0 {
				x0, x1 = min(x0, x), max(x1, x)
				y0, y1 = min(y0, y), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return nil, errBlank // unreachable: the extreme ink stretches to 1
	}
	x0, x1, y0, y1 = dropSpecks(grey, w, h, x0, x1, y0, y1)

	// 3. Crop, as 8-bit grey, the precision MNIST has.
	cw, ch := x1-x0+1, y1-y0+1
	crop := image.NewGray(image.Rect(0, 0, cw, ch))
	for y := range ch {
		row := grey[(y0+y)*w+x0 : (y0+y)*w+x1+1]
		out := crop.Pix[y*crop.Stride : y*crop.Stride+cw]
		for x, v := range row {
			out[x] = uint8(v*255 + 0.5)
		}
	}

	// 4. Scale the longer side to 20.
	sw, sh := digitBox, digitBox
	if cw >= ch {
		sh = max(1, int(math.Round(float64(digitBox*ch)/float64(cw))))
	} else {
		sw = max(1, int(math.Round(float64(digitBox*cw)/float64(ch))))
	}
	scaled := image.NewRGBA(image.Rect(0, 0, sw, sh))
	kernel := draw.BiLinear
	if max(cw, ch) > digitBox {
		kernel = areaAverage
	}
	kernel.Scale(scaled, scaled.Bounds(), crop, crop.Bounds(), draw.Src, nil)
	box := make([]float32, sw*sh)
	var peak uint8
	for i := range box {
		r := scaled.Pix[4*i] // grey: R = G = B
		peak = max(peak, r)
		box[i] = float32(r)
	}
	if peak == 0 {
		return nil, errors.New("mnist: no digit: the ink is too faint or too small to survive scaling to 20 pixels")
	}
	var mass, mx, my float64
	for i := range box {
		box[i] /= float32(peak)
		v := float64(box[i])
		mass += v
		mx += v * float64(i%sw)
		my += v * float64(i/sw)
	}

	// 5. Centre the mass at (14, 14).
	dx := int(math.Round(digitCentre - mx/mass))
	dy := int(math.Round(digitCentre - my/mass))
	out := make([]float32, digitSide*digitSide)
	for y := range sh {
		ty := y + dy
		if ty < 0 || ty >= digitSide {
			continue
		}
		for x := range sw {
			tx := x + dx
			if tx < 0 || tx >= digitSide {
				continue
			}
			out[ty*digitSide+tx] = box[y*sw+x]
		}
	}
	return out, nil
}

// speckMass is the largest share of the ink that a stretch of columns
// (or rows) cut off from the rest by empty ones may hold and still be
// dropped as a speck: dust, a dot of ink, a mark at the paper's edge.
// The pieces of a handwritten digit that stand apart, such as the bar of
// a 5, hold far more.
const speckMass = 0.02

// dropSpecks narrows the ink's bounding box [x0, x1]×[y0, y1] of the
// stretched image px (w×h) to leave out specks: along each axis, the ink
// falls into runs of columns (rows) with ink, split by gaps of empty ones
// at least a twentieth of the ink's extent wide (and 2 pixels), and runs
// at either end are left out while all that is left out holds at most
// speckMass of the ink. Narrower gaps join runs, so a digit printed with
// a dot screen, or broken by a scan, stays whole.
func dropSpecks(px []float32, w, h, x0, x1, y0, y1 int) (int, int, int, int) {
	cols := make([]float64, x1-x0+1)
	rows := make([]float64, y1-y0+1)
	for y := y0; y <= y1; y++ {
		for x, v := range px[y*w+x0 : y*w+x1+1] {
			cols[x] += float64(v)
			rows[y-y0] += float64(v)
		}
	}
	lo, hi := inkSpan(cols)
	top, bottom := inkSpan(rows)
	return x0 + lo, x0 + hi, y0 + top, y0 + bottom
}

// inkSpan returns the first and last index of mass (the ink of each
// column or row; mass's first and last entries are not zero) once runs at
// either end are left out as dropSpecks says. The run with the most ink
// is always kept.
func inkSpan(mass []float64) (lo, hi int) {
	type run struct {
		lo, hi int
		mass   float64
	}
	minGap := max(2, len(mass)/20)
	var runs []run
	var total float64
	for i, m := range mass {
		total += m
		switch {
		case m == 0:
		case len(runs) > 0 && i-runs[len(runs)-1].hi <= minGap:
			runs[len(runs)-1].hi = i
			runs[len(runs)-1].mass += m
		default:
			runs = append(runs, run{i, i, m})
		}
	}
	heaviest := 0
	for i, r := range runs {
		if r.mass > runs[heaviest].mass {
			heaviest = i
		}
	}
	first, last := 0, len(runs)-1
	var dropped float64
	for {
		switch {
		case first < heaviest && dropped+runs[first].mass <= speckMass*total:
			dropped += runs[first].mass
			first++
		case last > heaviest && dropped+runs[last].mass <= speckMass*total:
			dropped += runs[last].mass
			last--
		default:
			return runs[first].lo, runs[last].hi
		}
	}
}

// luminance returns the grey level in [0, 1] of each pixel of img within
// b, row-major, composited over white.
func luminance(img image.Image, b image.Rectangle) []float32 {
	w := b.Dx()
	grey := make([]float32, w*b.Dy())
	lum := func(r, g, bl, a uint32) float32 {
		// Premultiplied alpha over white: c + (1 - a)·white.
		white := 0xffff - min(a, 0xffff)
		y := (0.299*float32(r+white) + 0.587*float32(g+white) + 0.114*float32(bl+white)) / 0xffff
		return min(max(y, 0), 1)
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range w {
				grey[(y-b.Min.Y)*w+x] = float32(row[x]) / 255
			}
		}
	case image.RGBA64Image:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.RGBA64At(x, y)
				grey[(y-b.Min.Y)*w+x-b.Min.X] = lum(uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A))
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := m.At(x, y).RGBA()
				grey[(y-b.Min.Y)*w+x-b.Min.X] = lum(r, g, bl, a)
			}
		}
	}
	return grey
}

// ring returns the outermost ring of pixels of a w×h image, each once.
func ring(px []float32, w, h int) []float32 {
	if w <= 2 || h <= 2 {
		return slices.Clone(px) // every pixel is on the edge
	}
	out := make([]float32, 0, 2*(w+h))
	out = append(out, px[:w]...)
	out = append(out, px[(h-1)*w:]...)
	for y := 1; y < h-1; y++ {
		out = append(out, px[y*w], px[y*w+w-1])
	}
	return out
}

// median sorts v and returns its middle value (the mean of the two
// middle values of an even number).
func median(v []float32) float32 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
