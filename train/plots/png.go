package plots

import (
	"image"
	"image/png"
	"io"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/pkg/errors"
	"gonum.org/v1/plot/vg/vgimg"
)

// maxPNGSide is the largest width or height, in pixels, of a picture
// drawn by this package.
const maxPNGSide = 10000

// pngDPI is the resolution the pictures are drawn at: fonts and line
// widths given in points come out at the same number of pixels whatever
// the picture's size.
const pngDPI = 96

// checkPNGSize checks a picture's requested size.
func checkPNGSize(width, height int) error {
	if width <= 0 || height <= 0 || width > maxPNGSide || height > maxPNGSide {
		return errors.Errorf("size %d×%d pixels: want width and height in 1..%d", width, height, maxPNGSide)
	}
	return nil
}

// writePNG makes a white width×height canvas, has paint draw on it and
// writes it to w as a PNG. A panic in the plotting library is returned
// as an error.
func writePNG(w io.Writer, width, height int, paint func(*vgimg.Canvas) error) (err error) {
	if w == nil {
		return errors.New("nil writer")
	}
	if err := checkPNGSize(width, height); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("drawing failed: %v", r)
		}
	}()
	c := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, width, height))), vgimg.UseDPI(pngDPI))
	if err := paint(c); err != nil {
		return err
	}
	return errors.Wrap(png.Encode(w, c.Image()), "writing the PNG")
}

// savePNG writes a picture to path atomically; errors name the path.
func savePNG(path, what string, write func(io.Writer) error) error {
	return errors.Wrapf(atomicfile.Write(path, write), "saving the %s to %s", what, path)
}
