// Command browser checks examples/serve's page in headless Chromium: it
// opens the page, draws a digit on the canvas as a mouse would (with
// -touch, as a finger would, by touch events), waits until the page has
// the server's answer to the whole drawing, prints it and saves a
// screenshot. It is a module of its own so that gokeras does not depend
// on chromedp:
//
//	go run ./examples/mnist -save /tmp/model.npz
//	go run ./examples/serve -model /tmp/model.npz -addr localhost:8080 &
//	cd examples/serve/browser && go run . -url http://localhost:8080/ -digit 7 -out page.png
//
// It needs Chromium (Debian: apt-get install chromium) and exits with
// status 1 if the page answers with another digit than the one drawn.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// strokes are the digits this program can draw: polylines in a 0–1
// square, each a list of strokes.
var strokes = map[int][][][2]float64{
	0: {ellipse(0.5, 0.5, 0.22, 0.33)},
	1: {{{0.42, 0.25}, {0.55, 0.15}, {0.55, 0.85}}},
	2: {{{0.3, 0.3}, {0.4, 0.18}, {0.6, 0.18}, {0.7, 0.3}, {0.66, 0.45}, {0.3, 0.82}, {0.75, 0.82}}},
	3: {{{0.3, 0.2}, {0.65, 0.2}, {0.45, 0.45}, {0.65, 0.55}, {0.68, 0.72}, {0.55, 0.85}, {0.3, 0.82}}},
	4: {{{0.6, 0.85}, {0.6, 0.15}, {0.28, 0.6}, {0.75, 0.6}}},
	7: {{{0.28, 0.2}, {0.72, 0.2}, {0.45, 0.85}}},
}

// ellipse is a closed polyline around (cx, cy).
func ellipse(cx, cy, rx, ry float64) [][2]float64 {
	var p [][2]float64
	for i := 0; i <= 32; i++ {
		a := 2 * math.Pi * float64(i) / 32
		p = append(p, [2]float64{cx + rx*math.Sin(a), cy - ry*math.Cos(a)})
	}
	return p
}

func main() {
	url := flag.String("url", "http://localhost:8080/", "the page")
	digit := flag.Int("digit", 7, "the digit to draw (0, 1, 2, 3, 4 or 7)")
	out := flag.String("out", "page.png", "where to write the screenshot")
	touch := flag.Bool("touch", false, "draw with touch events (a finger) instead of the mouse")
	flag.Parse()
	if err := run(*url, *digit, *out, *touch); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		os.Exit(1)
	}
}

func run(url string, digit int, out string, touch bool) error {
	path, ok := strokes[digit]
	if !ok {
		return fmt.Errorf("no strokes for the digit %d", digit)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.WindowSize(900, 520), chromedp.Flag("no-sandbox", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	// This chromedp's protocol tables predate some events of a newer
	// Chromium; it logs each as an error, which is noise here.
	quiet := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "could not unmarshal event") {
			fmt.Fprintln(os.Stderr, msg)
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(quiet))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var box []float64
	if err := chromedp.Run(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible("#pad", chromedp.ByID),
		chromedp.Evaluate(`(() => { const r = document.getElementById("pad").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &box),
	); err != nil {
		return err
	}
	if len(box) != 4 {
		return fmt.Errorf("the page's drawing pad has no bounding box (%v)", box)
	}
	at := func(p [2]float64) (float64, float64) { return box[0] + p[0]*box[2], box[1] + p[1]*box[3] }
	// press, move and release are a mouse's or, with touch, a finger's.
	press := func(x, y float64) chromedp.Action {
		return chromedp.MouseEvent(input.MousePressed, x, y, chromedp.ButtonLeft)
	}
	move := func(x, y float64) chromedp.Action {
		return chromedp.MouseEvent(input.MouseMoved, x, y, chromedp.ButtonLeft)
	}
	release := func(x, y float64) chromedp.Action {
		return chromedp.MouseEvent(input.MouseReleased, x, y, chromedp.ButtonLeft)
	}
	var actions []chromedp.Action
	if touch {
		press = func(x, y float64) chromedp.Action {
			return input.DispatchTouchEvent(input.TouchStart, []*input.TouchPoint{{X: x, Y: y}})
		}
		move = func(x, y float64) chromedp.Action {
			return input.DispatchTouchEvent(input.TouchMove, []*input.TouchPoint{{X: x, Y: y}})
		}
		release = func(float64, float64) chromedp.Action {
			return input.DispatchTouchEvent(input.TouchEnd, []*input.TouchPoint{})
		}
		actions = append(actions, emulation.SetTouchEmulationEnabled(true))
	}
	for _, s := range path {
		actions = append(actions, press(at(s[0])))
		for i := 1; i < len(s); i++ {
			// Move in small steps, as a hand does.
			x0, y0 := at(s[i-1])
			x1, y1 := at(s[i])
			for k := 1; k <= 8; k++ {
				t := float64(k) / 8
				actions = append(actions, move(x0+t*(x1-x0), y0+t*(y1-y0)))
			}
		}
		actions = append(actions, release(at(s[len(s)-1])))
	}
	if err := chromedp.Run(ctx, actions...); err != nil {
		return err
	}
	// Wait for the answer to the whole drawing: the page asks again when
	// the last answer comes, so wait until no request is in flight.
	var answer, prob string
	var busy bool
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(`busy || again`, &busy),
			chromedp.Text("#answer", &answer, chromedp.ByID),
			chromedp.Text("#prob", &prob, chromedp.ByID),
		); err != nil {
			return err
		}
		if !busy && answer != "?" {
			break
		}
		if time.Since(start) > 20*time.Second {
			return fmt.Errorf("no answer 20 s after drawing (the page shows %q)", answer)
		}
	}
	var shot []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&shot, 100)); err != nil {
		return err
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		return err
	}
	fmt.Printf("drew %d; the page answers %s (%s); screenshot %s\n", digit, answer, prob, out)
	if answer != strconv.Itoa(digit) {
		return fmt.Errorf("the page answered %s for a drawn %d", answer, digit)
	}
	return nil
}
