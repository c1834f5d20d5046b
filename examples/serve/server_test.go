package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeras/gokeras/examples/internal/digits"
	"github.com/gokeras/gokeras/examples/internal/digitstest"
	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/train"
	"gorgonia.org/tensor"
)

// runMainEnv makes the test binary run the command's main instead of
// the tests, so a test can run the command as a process.
const runMainEnv = "GOKERAS_SERVE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{"serve"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	code := m.Run()
	digitstest.Cleanup()
	os.Exit(code)
}

// testServer serves the test model on a loopback httptest server.
func testServer(tb testing.TB, n int) (*httptest.Server, *digitstest.Fixture) {
	tb.Helper()
	f := digitstest.Get(tb, n)
	c, err := digits.New(f.Model, 3)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(newServer(c, log.New(io.Discard, "", 0)).handler())
	tb.Cleanup(ts.Close)
	return ts, f
}

// request is one /predict request and the answer Predict gives for it.
type request struct {
	contentType string
	body        []byte
	want        []digits.Answer
}

// requests makes n requests from the fixture's digits: PNG bodies,
// multipart forms and JSON bodies of 1 to 3 rows, each with the answers
// the model's Predict gives on the same input.
func requests(tb testing.TB, f *digitstest.Fixture, n int) []request {
	tb.Helper()
	inks := []color.RGBA{{0, 0, 0, 255}, {255, 255, 255, 255}, {30, 40, 140, 255}}
	papers := []color.RGBA{{255, 255, 255, 255}, {0, 0, 0, 255}, {250, 240, 170, 255}}
	var reqs []request
	for i := 0; i < n; i++ {
		d := f.Images[i%len(f.Images)]
		var r request
		var rows [][]float32
		switch i % 3 {
		case 0, 1:
			png := digitstest.PNG(digitstest.Picture(d, 56+i%5*20, 56+i%5*20, inks[i%3], papers[i%3]))
			row, err := mnist.DecodeDigit(bytes.NewReader(png))
			if err != nil {
				tb.Fatal(err)
			}
			rows = [][]float32{row}
			r.contentType, r.body = "image/png", png
			if i%3 == 1 {
				var b bytes.Buffer
				w := multipart.NewWriter(&b)
				fw, _ := w.CreateFormFile("image", fmt.Sprintf("digit%d.png", i))
				fw.Write(png)
				w.Close()
				r.contentType, r.body = w.FormDataContentType(), b.Bytes()
			}
		case 2:
			for j := 0; j <= i%4 && j < 3; j++ {
				row := make([]float32, 784)
				for k, v := range f.Images[(i+j)%len(f.Images)] {
					row[k] = float32(v) / 255
				}
				rows = append(rows, row)
			}
			body, _ := json.Marshal(rowsRequest{rows})
			r.contentType, r.body = "application/json", body
		}
		r.want = predict(tb, f, rows)
		reqs = append(reqs, r)
	}
	return reqs
}

// predict is the reference: the model's Predict on rows, with train.Top.
func predict(tb testing.TB, f *digitstest.Fixture, rows [][]float32) []digits.Answer {
	var x []float32
	for _, r := range rows {
		x = append(x, r...)
	}
	p, err := f.Model.Predict(tensor.New(tensor.WithShape(len(rows), 784), tensor.WithBacking(x)), train.Verbose(0))
	if err != nil {
		tb.Fatal(err)
	}
	out := p.Data().([]float32)
	var as []digits.Answer
	for i := range rows {
		probs := slices.Clone(out[i*10 : (i+1)*10])
		top, err := train.Top(probs, 3)
		if err != nil {
			tb.Fatal(err)
		}
		as = append(as, digits.Answer{Top: top, Probabilities: probs})
	}
	return as
}

// post sends r and decodes the answer.
func post(c *http.Client, url string, r request) (response, int, error) {
	resp, err := c.Post(url+"/predict", r.contentType, bytes.NewReader(r.body))
	if err != nil {
		return response{}, 0, err
	}
	defer resp.Body.Close()
	var got response
	err = json.NewDecoder(resp.Body).Decode(&got)
	return got, resp.StatusCode, err
}

// TestConcurrentAnswersEqualPredict sends requests from 32 clients at
// once (run it with -race) and checks every answer against Predict on
// the same input, value for value.
func TestConcurrentAnswersEqualPredict(t *testing.T) {
	ts, f := testServer(t, 50)
	n := 640
	if testing.Short() {
		n = 192
	}
	reqs := requests(t, f, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				got, status, err := post(ts.Client(), ts.URL, reqs[i])
				switch {
				case err != nil:
					errs <- fmt.Errorf("request %d: %v", i, err)
				case status != http.StatusOK:
					errs <- fmt.Errorf("request %d: status %d", i, status)
				case !sameAnswers(got, reqs[i].want):
					errs <- fmt.Errorf("request %d (%s): answer %+v, Predict gives %+v", i, reqs[i].contentType, got.Predictions, reqs[i].want)
				}
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func sameAnswers(got response, want []digits.Answer) bool {
	if len(got.Predictions) != len(want) {
		return false
	}
	for i, p := range got.Predictions {
		if !slices.Equal(p.Top, want[i].Top) || !slices.Equal(p.Probabilities, want[i].Probabilities) || p.Input != nil {
			return false
		}
	}
	return true
}

func TestInputIsTheSample(t *testing.T) {
	ts, f := testServer(t, 1)
	r := requests(t, f, 1)[0]
	resp, err := ts.Client().Post(ts.URL+"/predict?input=1", r.contentType, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got response
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want, _ := mnist.DecodeDigit(bytes.NewReader(r.body))
	if len(got.Predictions) != 1 || !slices.Equal(got.Predictions[0].Input, want) {
		t.Errorf("?input=1 did not return the 784 values DecodeDigit makes of the image")
	}
}

func TestBadRequests(t *testing.T) {
	ts, f := testServer(t, 1)
	row := func(n int) []float32 { return make([]float32, n) }
	jsonRows := func(rows ...[]float32) string {
		b, _ := json.Marshal(rowsRequest{rows})
		return string(b)
	}
	many := make([][]float32, maxRows+1)
	for i := range many {
		many[i] = row(784)
	}
	var noFile bytes.Buffer
	mw := multipart.NewWriter(&noFile)
	mw.WriteField("name", "value")
	mw.Close()
	png := digitstest.PNG(digitstest.Picture(f.Images[0], 28, 28, color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}))
	var twoFiles bytes.Buffer
	mw2 := multipart.NewWriter(&twoFiles)
	for _, name := range []string{"a.png", "b.png"} {
		fw, _ := mw2.CreateFormFile("image", name)
		fw.Write(png)
	}
	mw2.Close()
	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		says                                  string
	}{
		{"get predict", "GET", "/predict", "", "", 405, "POST"},
		{"put page", "PUT", "/", "", "", 405, "GET"},
		{"no such page", "GET", "/nope", "", "", 404, "/nope"},
		{"text", "POST", "/predict", "text/plain", "seven", 415, "Content-Type"},
		{"not an image", "POST", "/predict", "image/png", "not a png at all", 400, "image"},
		{"a form", "POST", "/predict", "application/x-www-form-urlencoded", "a=1&b=2", 400, "not a PNG, JPEG or GIF"},
		{"empty", "POST", "/predict", "image/png", "", 400, "empty"},
		{"truncated", "POST", "/predict", "image/png", string(png[:len(png)/2]), 400, "image"},
		{"too large", "POST", "/predict", "application/octet-stream", strings.Repeat("x", maxBody+1), 413, "too large"},
		{"short row", "POST", "/predict", "application/json", jsonRows(row(784), row(783)), 400, "row 1 has 783 values"},
		{"no rows", "POST", "/predict", "application/json", `{"rows": []}`, 400, "no rows"},
		{"too many rows", "POST", "/predict", "application/json", jsonRows(many...), 413, "rows"},
		{"bad JSON", "POST", "/predict", "application/json", `{"rows": [[0, 1,`, 400, "JSON"},
		{"unknown field", "POST", "/predict", "application/json", `{"pixels": []}`, 400, "pixels"},
		{"two values", "POST", "/predict", "application/json", jsonRows(row(784)) + "{}", 400, "more than one"},
		{"a string", "POST", "/predict", "application/json", `{"rows": [["a"]]}`, 400, "JSON"},
		{"form without a file", "POST", "/predict", mw.FormDataContentType(), noFile.String(), 400, "no file"},
		{"form with two files", "POST", "/predict", mw2.FormDataContentType(), twoFiles.String(), 400, `more than one file ("a.png", "b.png"`},
		{"JSON without Content-Type", "POST", "/predict", "", jsonRows(row(784)), 415, "Content-Type: application/json"},
		{"JSON as a form (curl -d)", "POST", "/predict", "application/x-www-form-urlencoded", "  " + jsonRows(row(784)), 415, "looks like JSON"},
		{"form without a boundary", "POST", "/predict", "multipart/form-data", "x", 400, "form"},
		{"value over 1", "POST", "/predict", "application/json", jsonRows(append(row(783), 1.5)), 400, "row 0, value 783 is 1.5"},
		{"negative value", "POST", "/predict", "application/json", jsonRows(append([]float32{-0.1}, row(783)...)), 400, "row 0, value 0 is -0.1"},
		{"huge value", "POST", "/predict", "application/json", jsonRows(append([]float32{3e38}, row(783)...)), 400, "want values in [0, 1]"},
		{"trailing bracket", "POST", "/predict", "application/json", jsonRows(row(784)) + "]", 400, "more than one"},
		{"image over 2048×2048", "POST", "/predict", "image/png", string(digitstest.PNG(image.NewGray(image.Rect(0, 0, 2049, 2048)))), 413, "2049×2048 pixels"},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var e errorBody
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		switch {
		case resp.StatusCode != c.status:
			t.Errorf("%s: status %d (%q), want %d", c.name, resp.StatusCode, e.Error, c.status)
		case resp.Header.Get("Content-Type") != "application/json" || err != nil:
			t.Errorf("%s: answer is not JSON (%s): %v", c.name, resp.Header.Get("Content-Type"), err)
		case !strings.Contains(e.Error, c.says):
			t.Errorf("%s: error %q does not say %q", c.name, e.Error, c.says)
		}
	}
}

func TestPage(t *testing.T) {
	ts, _ := testServer(t, 1)
	resp, err := ts.Client().Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(b, []byte("<canvas")) || !bytes.Contains(b, []byte(`fetch("/predict`)) {
		t.Errorf("GET /: status %d, %s, %d bytes: want the drawing page", resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
	}
}

// TestShutdown cancels the server's context while a request is being
// sent and checks that the request is still answered, serve returns
// nil, and new connections are refused.
func TestShutdown(t *testing.T) {
	f := digitstest.Get(t, 1)
	c, err := digits.New(f.Model, 3)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, l, newServer(c, log.New(io.Discard, "", 0))) }()

	png := digitstest.PNG(digitstest.Picture(f.Images[0], 56, 56, color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}))
	body, w := io.Pipe()
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post(url+"/predict", "image/png", body)
		if err != nil {
			answered <- -1
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	w.Write(png[:10]) // the request is in flight
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(100 * time.Millisecond)
	w.Write(png[10:])
	w.Close()
	if status := <-answered; status != http.StatusOK {
		t.Errorf("the request in flight at shutdown got status %d, want 200", status)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return 15 s after its context was cancelled")
	}
	if _, err := http.Get(url + "/"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

// BenchmarkServe sends 2,000 PNG requests from 32 clients at once to a
// loopback server and reports requests per second and the median and
// 99th-percentile latency.
func BenchmarkServe(b *testing.B) {
	ts, f := testServer(b, 100)
	reqs := requests(b, f, 100)
	const total, clients = 2000, 32
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					r := reqs[i%len(reqs)]
					t0 := time.Now()
					_, status, err := post(ts.Client(), ts.URL, r)
					d := time.Since(t0)
					if err != nil || status != 200 {
						b.Errorf("request %d: status %d, %v", i, status, err)
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		for i := range total {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// TestDecodingSlots holds the server's only decoding slot: an image
// request then waits, and its handler returns when its client gives up
// (while the slot is still held); JSON rows need no slot; once the slot
// is free an image request is answered.
func TestDecodingSlots(t *testing.T) {
	f := digitstest.Get(t, 1)
	c, err := digits.New(f.Model, 3)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(c, log.New(io.Discard, "", 0))
	s.slots = make(chan struct{}, 1)
	var active atomic.Int32 // handlers running
	h := s.handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		active.Add(1)
		defer active.Add(-1)
		h.ServeHTTP(w, r)
	}))
	defer ts.Close()
	r := requests(t, f, 3)
	png, rows := r[0], r[2]

	s.slots <- struct{}{} // taken
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/predict", bytes.NewReader(png.body))
	req.Header.Set("Content-Type", png.contentType)
	if resp, err := ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("an image request answered (%d) while the only decoding slot was taken", resp.StatusCode)
	}
	cancel()
	for start := time.Now(); active.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			<-s.slots // let the stuck handler finish, so that ts.Close returns
			t.Fatal("the handler of a request whose client gave up still waits for a decoding slot")
		}
	}
	if got, status, err := post(ts.Client(), ts.URL, rows); err != nil || status != 200 || !sameAnswers(got, rows.want) {
		t.Errorf("JSON rows while the slot was taken: status %d, %v", status, err)
	}
	<-s.slots // free
	if got, status, err := post(ts.Client(), ts.URL, png); err != nil || status != 200 || !sameAnswers(got, png.want) {
		t.Errorf("the image request once the slot is free: status %d, %v", status, err)
	}
}

// TestBusy holds the only decoding slot past the answer's time: the
// image request gets a 503 saying the server is busy.
func TestBusy(t *testing.T) {
	f := digitstest.Get(t, 1)
	c, err := digits.New(f.Model, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { answerTimeout = d }(answerTimeout)
	answerTimeout = 200 * time.Millisecond
	s := newServer(c, log.New(io.Discard, "", 0))
	s.slots = make(chan struct{}, 1)
	s.slots <- struct{}{}
	ts := httptest.NewServer(s.handler())
	defer ts.Close()
	png := requests(t, f, 1)[0]
	resp, err := ts.Client().Post(ts.URL+"/predict", png.contentType, bytes.NewReader(png.body))
	if err != nil {
		t.Fatal(err)
	}
	var e errorBody
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(e.Error, "busy") {
		t.Errorf("status %d, %q; want 503 busy", resp.StatusCode, e.Error)
	}
	<-s.slots
}
