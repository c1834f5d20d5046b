package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log"
	"mime"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/gokeras/gokeras/examples/internal/digits"
	"github.com/gokeras/gokeras/mnist"
	"github.com/pkg/errors"
)

// maxBody is the largest request body /predict reads.
const maxBody = 4 << 20

// maxRows is the most JSON rows one request may send.
const maxRows = 256

// answerTimeout bounds the work for one /predict request once its body
// is read: waiting for a decoding slot and for the model. Past it the
// answer is 503.
var answerTimeout = 30 * time.Second

// maxPixels is the most pixels an image may have: 2048×2048. Decoding
// costs up to about 20 bytes a pixel (see mnist.MaxDigitPixels), so a
// decoding slot takes at most some 80 MiB.
const maxPixels = 2048 * 2048

//go:embed page.html
var page []byte

// server answers the HTTP requests: GET / the drawing page, POST
// /predict the classifier.
type server struct {
	c     *digits.Classifier
	log   *log.Logger
	slots chan struct{} // decoding slots (see decode)
}

// newServer returns a server for c, logging to l, with one decoding slot
// a core.
func newServer(c *digits.Classifier, l *log.Logger) *server {
	return &server{c: c, log: l, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// handler returns the server's routes.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.page)
	mux.HandleFunc("/predict", s.predict)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such page: %s (there are / and /predict)", r.URL.Path)
	})
	return s.recover(mux)
}

// recover turns a panic in a handler into a 500 answer and a log line,
// so one bad request cannot take the server down or leave a client
// without an answer.
func (s *server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Printf("panic serving %s %s: %v", r.Method, r.URL.Path, v)
				fail(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *server) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(w, http.StatusMethodNotAllowed, "%s / : the page takes GET", r.Method)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(page)
}

// response is what /predict answers: one prediction for each row, or
// for the image.
type response struct {
	Predictions []prediction `json:"predictions"`
}

// prediction is one answer; Input is the 28×28 sample the model saw,
// given for an image when the request asks for it (?input=1).
type prediction struct {
	digits.Answer
	Input []float32 `json:"input,omitempty"`
}

// rowsRequest is the JSON body /predict takes.
type rowsRequest struct {
	Rows [][]float32 `json:"rows"`
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(w, http.StatusMethodNotAllowed, "%s /predict: send the image or the rows with POST", r.Method)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	in, status, err := readRequest(r)
	if err != nil {
		fail(w, status, "%v", err)
		return
	}
	// The answer gets its own time from here, however long the upload took.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(answerTimeout + 5*time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), answerTimeout)
	defer cancel()
	rows := in.rows
	if in.image != nil {
		row, err := s.decode(ctx, in.image)
		switch {
		case r.Context().Err() != nil:
			return // the client left
		case ctx.Err() != nil:
			fail(w, http.StatusServiceUnavailable, "busy: no decoding slot within %v", answerTimeout)
			return
		case err != nil:
			fail(w, http.StatusBadRequest, "%s: %v", in.what, err)
			return
		}
		rows = [][]float32{row}
	}
	answers, err := s.c.Classify(ctx, rows)
	switch {
	case r.Context().Err() != nil:
		return // the client left
	case ctx.Err() != nil:
		fail(w, http.StatusServiceUnavailable, "busy: no answer within %v", answerTimeout)
		return
	case err != nil:
		s.log.Printf("predict: %v", err)
		fail(w, http.StatusInternalServerError, "predict: %v", err)
		return
	}
	resp := response{Predictions: make([]prediction, len(answers))}
	for i, a := range answers {
		resp.Predictions[i].Answer = a
	}
	if in.image != nil && r.URL.Query().Get("input") == "1" {
		resp.Predictions[0].Input = rows[0]
	}
	reply(w, http.StatusOK, resp)
}

// decode makes an image into an MNIST sample, holding one of the
// server's decoding slots: decoding an image of maxPixels takes up to
// some 80 MiB, so the slots, one a core, bound the memory that many
// concurrent requests can take. Waiting for a slot ends
// when ctx does.
func (s *server) decode(ctx context.Context, image []byte) ([]float32, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.slots }()
	return mnist.DecodeDigit(bytes.NewReader(image))
}

// input is what a /predict request sends: rows of 784 values, or the
// bytes of an image and what to call it in an error.
type input struct {
	rows  [][]float32
	image []byte
	what  string
}

// readRequest reads /predict's body: JSON rows (Content-Type
// application/json; a JSON body labelled otherwise is an error saying
// so), a multipart form's one file (two are an error), or else the body
// itself as an image, whatever it is labelled (curl --data-binary labels
// it application/x-www-form-urlencoded); only text/* is refused outright.
// It gives the HTTP status for an error.
func readRequest(r *http.Request) (in input, status int, err error) {
	ct := r.Header.Get("Content-Type")
	media, params, _ := mime.ParseMediaType(ct)
	switch {
	case media == "application/json":
		var req rowsRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return in, bodyStatus(err), errors.Errorf("reading the JSON body: %v", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return in, http.StatusBadRequest, errors.New("the JSON body holds more than one value")
		}
		switch {
		case len(req.Rows) == 0:
			return in, http.StatusBadRequest, errors.New(`the JSON body has no rows: send {"rows": [[784 values], ...]}`)
		case len(req.Rows) > maxRows:
			return in, http.StatusRequestEntityTooLarge, errors.Errorf("%d rows; at most %d a request", len(req.Rows), maxRows)
		}
		for i, row := range req.Rows {
			if len(row) != digits.Pixels {
				return in, http.StatusBadRequest, errors.Errorf("row %d has %d values; want %d (28×28, row-major, 0 the background)", i, len(row), digits.Pixels)
			}
			for j, v := range row {
				if !(v >= 0 && v <= 1) {
					return in, http.StatusBadRequest, errors.Errorf("row %d, value %d is %v; want values in [0, 1] (a pixel/255)", i, j, v)
				}
			}
		}
		return input{rows: req.Rows}, 0, nil
	case media == "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil || params["boundary"] == "" {
			return in, http.StatusBadRequest, errors.Errorf("reading the form: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return in, http.StatusBadRequest, errors.New("the form holds no file")
			}
			if err != nil {
				return in, bodyStatus(err), errors.Errorf("reading the form: %v", err)
			}
			if part.FileName() == "" {
				continue
			}
			what := fmt.Sprintf("file %q", part.FileName())
			in, status, err := readImage(part, what)
			if err != nil {
				return in, status, err
			}
			for {
				next, err := mr.NextPart()
				if err == io.EOF {
					return in, 0, nil
				}
				if err != nil {
					return input{}, bodyStatus(err), errors.Errorf("reading the form: %v", err)
				}
				if next.FileName() != "" {
					return input{}, http.StatusBadRequest, errors.Errorf("the form holds more than one file (%q, %q, ...): send one image a request, or JSON rows for several", part.FileName(), next.FileName())
				}
			}
		}
	case strings.HasPrefix(media, "text/"):
		return in, http.StatusUnsupportedMediaType, errors.Errorf("Content-Type %q: send an image (PNG, JPEG or GIF), a multipart form with one, or JSON rows", ct)
	default:
		in, status, err := readImage(r.Body, "the image")
		if err == nil && looksLikeJSON(in.image) {
			return input{}, http.StatusUnsupportedMediaType, errors.Errorf("the body looks like JSON, but its Content-Type is %q: send JSON rows with Content-Type: application/json (curl -H 'Content-Type: application/json')", ct)
		}
		return in, status, err
	}
}

// looksLikeJSON reports whether b starts, after white space, as a JSON
// object or array does: no image format starts with '{' or '['.
func looksLikeJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// readImage reads an image's bytes, all of them before decoding, so a
// slow client holds no decoding slot, and refuses an image of more than
// maxPixels from its header.
func readImage(r io.Reader, what string) (input, int, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return input{}, bodyStatus(err), errors.Errorf("%s: %v", what, err)
	}
	if len(b) == 0 {
		return input{}, http.StatusBadRequest, errors.Errorf("%s: empty: no image", what)
	}
	// A header that does not parse is left to the decoder, which says why.
	if c, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil && c.Width > 0 && c.Height > maxPixels/c.Width {
		return input{}, http.StatusRequestEntityTooLarge, errors.Errorf("%s is %d×%d pixels; at most %d (2048×2048)", what, c.Width, c.Height, maxPixels)
	}
	return input{image: b, what: what}, 0, nil
}

// bodyStatus is 413 when err comes from the body limit, else 400.
func bodyStatus(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// fail answers with status and a JSON error.
func fail(w http.ResponseWriter, status int, format string, args ...any) {
	reply(w, status, errorBody{fmt.Sprintf(format, args...)})
}

// reply answers with status and v as JSON.
func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
