package mnist

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/image/draw"
)

// Colours of the synthetic digits: dark blue ink on yellow paper.
var (
	yellow   = color.NRGBA{250, 235, 120, 255}
	darkBlue = color.NRGBA{20, 30, 140, 255}
)

// painted fills m with paper and paints the rectangles of ink on it.
func painted(m draw.Image, paperC, inkC color.Color, ink ...image.Rectangle) draw.Image {
	draw.Draw(m, m.Bounds(), image.NewUniform(paperC), image.Point{}, draw.Src)
	for _, r := range ink {
		draw.Draw(m, r, image.NewUniform(inkC), image.Point{}, draw.Src)
	}
	return m
}

// seven is a "7" on a 120×90 canvas: a bar 40×10 and a stem 10×50, 40×60
// in all, which Digit scales to 13×20. Its centre of mass, unlike a
// rectangle's, lies well away from a half pixel (at 13.97, 13.80 in the
// output), so that noise cannot make it round the other way and move the
// digit a whole pixel.
var seven = []image.Rectangle{image.Rect(40, 15, 80, 25), image.Rect(66, 25, 76, 75)}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// inkBox returns the bounding box of the values of a 28×28 digit above
// threshold, as an image.Rectangle (Min inclusive, Max exclusive).
func inkBox(v []float32, threshold float32) image.Rectangle {
	r := image.Rectangle{}
	for i, x := range v {
		if x > threshold {
			p := image.Rect(i%28, i/28, i%28+1, i/28+1)
			r = r.Union(p)
		}
	}
	return r
}

// centreOfMass returns Σ v·i / Σ v of a 28×28 digit, i the 0-based column
// (x) or row (y): MNIST's digits have it in [13.5, 14.5].
func centreOfMass(v []float32) (x, y float64) {
	var s, mx, my float64
	for i, p := range v {
		s += float64(p)
		mx += float64(p) * float64(i%28)
		my += float64(p) * float64(i/28)
	}
	return mx / s, my / s
}

// checkDigit fails unless v is 784 finite values in [0, 1] with some ink.
func checkDigit(t testing.TB, v []float32) {
	t.Helper()
	if len(v) != 784 {
		t.Fatalf("%d values, want 784", len(v))
	}
	var peak float32
	for i, x := range v {
		if !(x >= 0 && x <= 1) { // NaN fails too
			t.Fatalf("value %d is %v, outside [0, 1]", i, x)
		}
		peak = max(peak, x)
	}
	if peak == 0 {
		t.Fatal("no ink in the output")
	}
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestDecodeDigitSyntheticVariants encodes one "7" in every way a user
// might send it; each must give the same MNIST sample as white on black,
// within a bound measured for its encoding: 0 for the lossless grey ones
// (the stretch maps background and ink to exactly 0 and 1), 1/255 where
// the colours' luminance rounds, and for JPEG, whose ringing at quality 90
// leaves faint edge pixels, which the noise floor zeroes, and the area
// average over about 3×3 source pixels smooths the rest (measured 0.0078 grey,
// 0.0081 with chroma subsampling; bound 0.05). Measured: 0 for all but
// JPEG.
func TestDecodeDigitSyntheticVariants(t *testing.T) {
	canvas := image.Rect(0, 0, 120, 90)
	white := painted(image.NewGray(canvas), color.Black, color.White, seven...)
	ref, err := DecodeDigit(bytes.NewReader(encodePNG(t, white)))
	if err != nil {
		t.Fatal(err)
	}
	box := inkBox(ref, 0)
	if box.Dx() != 13 || box.Dy() != 20 {
		t.Errorf("white on black: ink box %v is %d×%d, want 13×20", box, box.Dx(), box.Dy())
	}
	if x, y := centreOfMass(ref); math.Abs(x-14) > 0.5 || math.Abs(y-14) > 0.5 {
		t.Errorf("white on black: centre of mass (%.2f, %.2f), want within 0.5 of (14, 14)", x, y)
	}

	blackOnWhite := painted(image.NewGray(canvas), color.White, color.Black, seven...)
	colour := painted(image.NewNRGBA(canvas), yellow, darkBlue, seven...)
	// Transparent red: only the alpha counts, and it composites to white.
	transparent := painted(image.NewNRGBA(canvas), color.NRGBA{255, 0, 0, 0}, color.Black, seven...)
	greyPaper := painted(image.NewGray16(canvas), color.Gray16{0xb000}, color.Gray16{0x3000}, seven...)
	paletted := image.NewPaletted(canvas, color.Palette{yellow, darkBlue})
	painted(paletted, yellow, darkBlue, seven...)
	tests := []struct {
		name  string
		data  []byte
		bound float64
	}{
		{"black on white PNG", encodePNG(t, blackOnWhite), 0},
		{"blue on yellow PNG", encodePNG(t, colour), 1.0 / 255},
		{"black on transparent PNG", encodePNG(t, transparent), 0},
		{"16-bit dark grey on grey PNG", encodePNG(t, greyPaper), 1.0 / 255},
		{"black on white JPEG", encodeJPEG(t, blackOnWhite), 0.05},
		{"blue on yellow JPEG", encodeJPEG(t, colour), 0.05},
		{"black on white GIF", encodeGIF(t, blackOnWhite), 0},
		{"blue on yellow GIF", encodeGIF(t, paletted), 1.0 / 255},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeDigit(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			checkDigit(t, got)
			if d := maxAbsDiff(got, ref); d > tc.bound {
				t.Errorf("differs from white on black by up to %.4f, want at most %.4f", d, tc.bound)
			}
			t.Logf("max abs difference from white on black: %.4f", maxAbsDiff(got, ref))
		})
	}
}

// TestDigitShapes checks the scaling and centring of bars of several
// shapes: the longer side becomes 20 pixels and the aspect ratio is kept,
// whether the bar is shrunk or enlarged, and the centre of mass lands
// within half a pixel of (14, 14).
func TestDigitShapes(t *testing.T) {
	tests := []struct {
		name       string
		canvas     image.Rectangle
		bar        image.Rectangle
		wantW      int
		wantH      int
		tolerance  int // pixels of anti-aliasing either way
		centreOnly bool
	}{
		{"tall bar, shrunk by 3", image.Rect(0, 0, 100, 100), image.Rect(30, 20, 60, 80), 10, 20, 0, false},
		{"thin 1, not stretched", image.Rect(0, 0, 100, 100), image.Rect(48, 10, 52, 90), 1, 20, 0, false},
		{"wide bar", image.Rect(0, 0, 100, 60), image.Rect(20, 20, 80, 40), 20, 7, 0, false},
		{"small bar, enlarged", image.Rect(0, 0, 20, 20), image.Rect(8, 5, 13, 15), 10, 20, 0, false},
		{"odd sizes", image.Rect(-7, 3, 211, 154), image.Rect(13, 29, 91, 140), 14, 20, 1, false},
		{"one pixel", image.Rect(0, 0, 9, 9), image.Rect(4, 4, 5, 5), 20, 20, 0, false},
		{"bar touching the edge", image.Rect(0, 0, 40, 40), image.Rect(0, 0, 10, 40), 5, 20, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := painted(image.NewRGBA(tc.canvas), color.White, color.Black, tc.bar)
			got, err := Digit(m)
			if err != nil {
				t.Fatal(err)
			}
			checkDigit(t, got)
			box := inkBox(got, 0)
			if absInt(box.Dx()-tc.wantW) > tc.tolerance || absInt(box.Dy()-tc.wantH) > tc.tolerance {
				t.Errorf("ink box %v is %d×%d, want %d×%d (±%d)", box, box.Dx(), box.Dy(), tc.wantW, tc.wantH, tc.tolerance)
			}
			if x, y := centreOfMass(got); math.Abs(x-14) > 0.5 || math.Abs(y-14) > 0.5 {
				t.Errorf("centre of mass (%.2f, %.2f), want within 0.5 of (14, 14)", x, y)
			}
		})
	}
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestDigitClipsInkPushedOut: a heavy blob 50×80 at the left end of a
// stroke 150×4 makes a crop 200×80, scaled to 20×8: the blob 5×8, the
// stroke 15 columns of 0.2 in rows 3 and 4. The centre of mass, at
// (80 + 15·0.4·12) / 46 = 3.30 across and 3.5 down, is moved to (14.30,
// 13.5) or (14.30, 14.5), so the blob fills columns 11 to 15 and the
// stroke, from column 16, is cut off at the right edge after column 27.
func TestDigitClipsInkPushedOut(t *testing.T) {
	m := painted(image.NewGray(image.Rect(0, 0, 220, 100)), color.Black, color.White,
		image.Rect(10, 10, 60, 90), image.Rect(60, 48, 210, 52))
	got, err := Digit(m)
	if err != nil {
		t.Fatal(err)
	}
	checkDigit(t, got)
	if box := inkBox(got, 0.5); box.Min.X != 11 || box.Max.X != 16 || box.Dy() != 8 {
		t.Errorf("the blob fills %v, want columns 11 to 15 and 8 rows", box)
	}
	if box := inkBox(got, 0); box.Max.X != 28 || box.Dx() != 17 {
		t.Errorf("all ink fills %v, want columns 11 to 27: the stroke cut off at the edge", box)
	}
}

// upscaled returns MNIST digit px (28×28, 0 background) enlarged by
// nearest neighbour or bilinear interpolation onto a larger canvas with a
// margin, drawn with ink on paper.
func upscaled(px []byte, size image.Rectangle, canvas image.Rectangle, scaler draw.Scaler, paperC, inkC color.NRGBA) *image.NRGBA {
	src := &image.Gray{Pix: px, Stride: 28, Rect: image.Rect(0, 0, 28, 28)}
	g := image.NewGray(canvas)
	scaler.Scale(g, size, src, src.Bounds(), draw.Src, nil)
	m := image.NewNRGBA(canvas)
	for i, v := range g.Pix {
		f := float64(v) / 255
		mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p)*(1-f) + float64(q)*f)) }
		m.Pix[4*i+0] = mix(paperC.R, inkC.R)
		m.Pix[4*i+1] = mix(paperC.G, inkC.G)
		m.Pix[4*i+2] = mix(paperC.B, inkC.B)
		m.Pix[4*i+3] = 255
	}
	return m
}

// lit darkens m as a photograph taken with the light at its top left:
// each channel times 1 − 0.55·x/w − 0.2·y/h, the paper at the bottom
// right 25% as bright as at the top left.
func lit(m *image.NRGBA) *image.NRGBA {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			f := 1 - 0.55*float64(x-b.Min.X)/float64(b.Dx()) - 0.2*float64(y-b.Min.Y)/float64(b.Dy())
			i := m.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				m.Pix[i+c] = uint8(math.Round(float64(m.Pix[i+c]) * f))
			}
		}
	}
	return m
}

// TestDecodeDigitMNISTRoundTrip draws real MNIST test digits larger, as
// a user's images, and reads them back. Measured over the first 200: mean
// absolute difference per pixel (mean over digits; worst digit) and
// distance of the centre of mass from the original's (mean; worst):
//
//   - black on white, 3× nearest neighbour, PNG: 0.0017, 0.097; 0.03,
//     0.99 px. The area average undoes the enlargement exactly, but a
//     faint edge pixel below the noise floor can shrink the crop.
//   - blue on yellow, 3× bilinear on a 120×100 canvas, PNG: 0.030, 0.077;
//     0.25, 1.14 px.
//   - black on white, 3× bilinear, JPEG quality 90: 0.030, 0.077; 0.25,
//     1.15 px.
//
// Bilinear enlargement blurs the digit, which widens its crop a little;
// the centres of mass show no bias (mean signed difference under 0.01
// px), but 32 of the 200 lie near a half pixel and round the other way,
// moving the whole digit by a pixel, which is most of the difference.
// Every centre of mass lies within [13.5, 14.5], MNIST's convention.
func TestDecodeDigitMNISTRoundTrip(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Skipf("MNIST data not found: %v", err)
	}
	n := 200
	if testing.Short() {
		n = 40
	}
	white := color.NRGBA{255, 255, 255, 255}
	black := color.NRGBA{0, 0, 0, 255}
	variants := []struct {
		name       string
		encode     func([]byte) []byte
		meanBound  float64 // mean over digits of the mean abs difference
		worstBound float64 // the worst digit's mean abs difference
		meanCom    float64 // the mean distance of the centres of mass
	}{
		{"black on white, nearest 3×, PNG", func(px []byte) []byte {
			return encodePNG(t, upscaled(px, image.Rect(0, 0, 84, 84), image.Rect(0, 0, 84, 84), draw.NearestNeighbor, white, black))
		}, 0.005, 0.15, 0.1},
		{"blue on yellow, bilinear 3× with margin, PNG", func(px []byte) []byte {
			return encodePNG(t, upscaled(px, image.Rect(20, 5, 104, 89), image.Rect(0, 0, 120, 100), draw.BiLinear, yellow, darkBlue))
		}, 0.05, 0.15, 0.35},
		{"black on white, bilinear 3×, JPEG", func(px []byte) []byte {
			return encodeJPEG(t, upscaled(px, image.Rect(0, 0, 84, 84), image.Rect(0, 0, 84, 84), draw.BiLinear, white, black))
		}, 0.05, 0.15, 0.35},
		{"black on white, bilinear 3×, lit unevenly (a side in shadow), PNG", func(px []byte) []byte {
			return encodePNG(t, lit(upscaled(px, image.Rect(0, 0, 84, 84), image.Rect(0, 0, 84, 84), draw.BiLinear, white, black)))
		}, 0.05, 0.15, 0.35},
	}
	all := d.TestImages.Data().([]byte)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			var sum, worst, sumCom, worstCom float64
			for k := range n {
				px := all[k*784 : (k+1)*784]
				got, err := DecodeDigit(bytes.NewReader(v.encode(px)))
				if err != nil {
					t.Fatalf("digit %d: %v", k, err)
				}
				checkDigit(t, got)
				want := make([]float32, 784)
				var diff float64
				for i, p := range px {
					want[i] = float32(p) / 255
					diff += math.Abs(float64(got[i] - want[i]))
				}
				diff /= 784
				sum += diff
				worst = max(worst, diff)
				gx, gy := centreOfMass(got)
				wx, wy := centreOfMass(want)
				if math.Abs(gx-14) > 0.5 || math.Abs(gy-14) > 0.5 {
					t.Errorf("digit %d: centre of mass (%.2f, %.2f), want within 0.5 of (14, 14)", k, gx, gy)
				}
				dCom := math.Hypot(gx-wx, gy-wy)
				sumCom += dCom
				worstCom = max(worstCom, dCom)
			}
			mean := sum / float64(n)
			meanCom := sumCom / float64(n)
			t.Logf("%d digits: mean abs difference %.4f, worst digit %.4f; centre of mass %.2f px from the original's on average, %.2f at most", n, mean, worst, meanCom, worstCom)
			if mean > v.meanBound || worst > v.worstBound {
				t.Errorf("mean abs difference %.4f (worst digit %.4f), want at most %.3f (%.3f)", mean, worst, v.meanBound, v.worstBound)
			}
			if meanCom > v.meanCom || worstCom > 1.2 {
				t.Errorf("centre of mass %.2f px from the original's on average, %.2f at most; want at most %.2f and 1.2", meanCom, worstCom, v.meanCom)
			}
		})
	}
}

// pngChunk returns a PNG chunk with its length and CRC.
func pngChunk(kind string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, kind...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngClaiming returns a PNG signature and an IHDR chunk claiming w×h
// 8-bit RGBA pixels, and no image data.
func pngClaiming(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // depth 8, RGBA, deflate, filter 0, no interlace
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// jpegClaiming returns a valid JPEG whose frame header is changed to
// claim w×h pixels.
func jpegClaiming(t testing.TB, w, h uint16) []byte {
	b := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)))
	i := bytes.Index(b, []byte{0xff, 0xc0}) // SOF0: length, precision, height, width
	if i < 0 {
		t.Fatal("no SOF0 marker in the JPEG")
	}
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

// endlessZeros yields endless zero bytes and counts them.
type endlessZeros struct{ n int64 }

func (z *endlessZeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

func TestDecodeDigitBadInput(t *testing.T) {
	good := encodePNG(t, painted(image.NewGray(image.Rect(0, 0, 30, 30)), color.White, color.Black, image.Rect(10, 5, 20, 25)))
	jpg := encodeJPEG(t, painted(image.NewGray(image.Rect(0, 0, 64, 64)), color.White, color.Black, image.Rect(20, 10, 40, 50)))
	truncatedJPEG := jpg[:len(jpg)*3/4]
	gifHead := []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00") // 65535×65535 logical screen
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "empty"},
		{"one byte", []byte{0x89}, "not a PNG, JPEG or GIF image"},
		{"text", []byte("7, written as text\n"), "not a PNG, JPEG or GIF image"},
		{"BMP", []byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), "not a PNG, JPEG or GIF image"},
		{"PNG signature only", good[:8], "corrupt PNG header"},
		{"truncated PNG", good[:len(good)/2], "corrupt or truncated PNG image"},
		{"corrupt PNG", append(append([]byte{}, good[:len(good)-20]...), bytes.Repeat([]byte{0x55}, 20)...), "corrupt or truncated PNG image"},
		{"PNG claiming 100000×100000", pngClaiming(100000, 100000), "over the size limit of 16777216 pixels (MaxDigitPixels)"},
		{"PNG claiming 4097×4097", pngClaiming(4097, 4097), "MaxDigitPixels"},
		{"PNG claiming 1×16777217", pngClaiming(1, MaxDigitPixels+1), "MaxDigitPixels"},
		{"PNG claiming 0×10", pngClaiming(0, 10), "corrupt PNG header"},
		{"JPEG claiming 65000×65000", jpegClaiming(t, 65000, 65000), "MaxDigitPixels"},
		{"truncated JPEG", truncatedJPEG, "corrupt or truncated JPEG image"},
		{"GIF claiming 65535×65535", gifHead, "MaxDigitPixels"},
		{"truncated GIF", encodeGIF(t, image.NewGray(image.Rect(0, 0, 64, 64)))[:30], "GIF"},
		{"blank white", encodePNG(t, painted(image.NewGray(image.Rect(0, 0, 50, 50)), color.White, color.White, image.Rectangle{})), "no digit: the image is blank"},
		{"blank black", encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50))), "no digit: the image is blank"},
		{"blank colour JPEG", encodeJPEG(t, painted(image.NewNRGBA(image.Rect(0, 0, 50, 50)), yellow, yellow, image.Rectangle{})), "no digit: the image is blank"},
		{"fully transparent", encodePNG(t, image.NewNRGBA(image.Rect(0, 0, 50, 50))), "no digit: the image is blank"},
		{"contrast 3%", encodePNG(t, painted(image.NewGray(image.Rect(0, 0, 50, 50)), color.Gray{255}, color.Gray{247}, image.Rect(20, 10, 30, 40))), "no digit: the image is blank"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got, err := DecodeDigit(bytes.NewReader(tc.data))
			runtime.ReadMemStats(&after)
			// With 32-bit ints image/png refuses 100000×100000 itself.
			overflow := strconv.IntSize == 32 && err != nil && strings.Contains(err.Error(), "dimension overflow")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) && !overflow {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if got != nil {
				t.Errorf("returned %d values with the error", len(got))
			}
			// A claim of a huge image is refused from the header, before
			// any pixel is allocated.
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("allocated %d bytes for %d bytes of input", n, len(tc.data))
			}
		})
	}
}

func TestDecodeDigitBadReader(t *testing.T) {
	z := &endlessZeros{}
	_, err := DecodeDigit(z)
	if err == nil || !strings.Contains(err.Error(), "MaxDigitBytes") {
		t.Errorf("endless input: error %v, want one naming MaxDigitBytes", err)
	}
	if z.n > MaxDigitBytes+1 {
		t.Errorf("read %d bytes of endless input, want at most MaxDigitBytes+1 = %d", z.n, MaxDigitBytes+1)
	}
	// MaxDigitBytes bytes are read: a GIF header of a 0×0 screen, then zeros.
	exactly := make([]byte, MaxDigitBytes)
	copy(exactly, "GIF89a")
	if _, err := DecodeDigit(bytes.NewReader(exactly)); err == nil || strings.Contains(err.Error(), "MaxDigitBytes") {
		t.Errorf("input of exactly MaxDigitBytes: error %v, want one about the content, not its length", err)
	}
	if _, err := DecodeDigit(iotest.ErrReader(iotest.ErrTimeout)); err == nil || !strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "reading the image") {
		t.Errorf("failing reader: error %v, want the reader's, wrapped", err)
	}
	if _, err := DecodeDigit(nil); err == nil || !strings.Contains(err.Error(), "nil reader") {
		t.Errorf("nil reader: error %v", err)
	}
}

func TestDigitBadImage(t *testing.T) {
	tests := []struct {
		name    string
		img     image.Image
		wantErr string
	}{
		{"nil", nil, "nil image"},
		{"nil *image.RGBA", (*image.RGBA)(nil), "nil image"},
		{"no pixels", image.NewRGBA(image.Rect(3, 3, 3, 10)), "no pixels"},
		{"uniform, unbounded", image.NewUniform(color.Black), "MaxDigitPixels"},
		{"too large", image.NewGray(image.Rect(0, 0, 1, MaxDigitPixels+1)), "MaxDigitPixels"},
		{"blank grey", painted(image.NewGray(image.Rect(0, 0, 5, 5)), color.Gray{128}, color.Gray{128}, image.Rectangle{}), "no digit: the image is blank"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Digit(tc.img)
			// With 32-bit ints image/png refuses 100000×100000 itself.
			overflow := strconv.IntSize == 32 && err != nil && strings.Contains(err.Error(), "dimension overflow")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) && !overflow {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if got != nil {
				t.Errorf("returned %d values with the error", len(got))
			}
		})
	}
}

// FuzzDecodeDigit feeds DecodeDigit arbitrary bytes. It must never panic;
// what it accepts must be 784 finite values in [0, 1] with some ink, and
// what it refuses must come with no values.
func FuzzDecodeDigit(f *testing.F) {
	for _, b := range digitSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeDigit(bytes.NewReader(data))
		if err != nil {
			if got != nil {
				t.Fatalf("returned values with the error %v", err)
			}
			return
		}
		checkDigit(t, got)
	})
}

// digitSeeds are small images, valid and broken, for FuzzDecodeDigit.
func digitSeeds(f testing.TB) [][]byte {
	var seeds [][]byte
	bar := image.Rect(5, 2, 10, 14)
	small := painted(image.NewNRGBA(image.Rect(0, 0, 16, 16)), yellow, darkBlue, bar)
	seeds = append(seeds, encodePNG(f, small))
	seeds = append(seeds, encodePNG(f, painted(image.NewGray(image.Rect(0, 0, 12, 12)), color.White, color.Black, image.Rect(3, 3, 6, 9))))
	seeds = append(seeds, encodeGIF(f, small))
	seeds = append(seeds, encodeJPEG(f, small))
	seeds = append(seeds, pngClaiming(3, 5))
	seeds = append(seeds, []byte("GIF89a\x04\x00\x04\x00\x00\x00\x00;"))
	seeds = append(seeds, []byte("\xff\xd8\xff\xdb garbage"))
	seeds = append(seeds, []byte("not an image at all"))
	seeds = append(seeds, []byte{})
	return seeds
}

// TestDigitDropsSpecks adds specks of ink apart from the "7" (dust, a
// dot, a mark at the paper's edge) and checks they change nothing, while
// a second stroke apart from the first, with more than 2% of the ink, is
// kept.
func TestDigitDropsSpecks(t *testing.T) {
	canvas := image.Rect(0, 0, 120, 90)
	ref, err := Digit(painted(image.NewGray(canvas), color.White, color.Black, seven...))
	if err != nil {
		t.Fatal(err)
	}
	specks := [][]image.Rectangle{
		{image.Rect(110, 3, 113, 6)},                             // a dot in a corner
		{image.Rect(2, 80, 4, 82), image.Rect(100, 84, 104, 86)}, // two, below and to the left
		{image.Rect(70, 82, 73, 85)},                             // under the stem: apart only by rows
		{image.Rect(10, 40, 13, 43)},                             // left of the digit: apart only by columns
	}
	for i, sp := range specks {
		got, err := Digit(painted(image.NewGray(canvas), color.White, color.Black, append(slices.Clone(seven), sp...)...))
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(got, ref); d != 0 {
			t.Errorf("specks %d %v: the output differs from the clean digit's by up to %.3f", i, sp, d)
		}
	}
	// A 7 printed with a dot screen: 2×2 dots every 4 pixels, 2 empty
	// pixels between them everywhere. It must come out as the solid 7's
	// shape, not as the heaviest band of dots.
	big := image.Rect(0, 0, 400, 300)
	solid7 := []image.Rectangle{image.Rect(130, 50, 270, 85), image.Rect(225, 85, 260, 260)}
	solid, err := Digit(painted(image.NewGray(big), color.White, color.Black, solid7...))
	if err != nil {
		t.Fatal(err)
	}
	var dots []image.Rectangle
	for _, r := range solid7 {
		for y := r.Min.Y; y < r.Max.Y; y += 4 {
			for x := r.Min.X; x < r.Max.X; x += 4 {
				dots = append(dots, image.Rect(x, y, x+2, y+2))
			}
		}
	}
	dotted, err := Digit(painted(image.NewGray(big), color.White, color.Black, dots...))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := inkBox(dotted, 0.1), inkBox(solid, 0.1); absInt(a.Dx()-b.Dx()) > 1 || absInt(a.Dy()-b.Dy()) > 1 {
		t.Errorf("dot-screen 7: ink box %v, the solid 7's %v", a, b)
	}
	// An "=": two bars of 40×10 apart by 10 empty rows, each half the ink.
	eq, err := Digit(painted(image.NewGray(canvas), color.White, color.Black, image.Rect(40, 20, 80, 30), image.Rect(40, 40, 80, 50)))
	if err != nil {
		t.Fatal(err)
	}
	if box := inkBox(eq, 0); box.Dx() != 20 || box.Dy() != 15 {
		t.Errorf("two bars apart: ink box %v is %d×%d, want 20×15 (both bars kept)", box, box.Dx(), box.Dy())
	}
}
