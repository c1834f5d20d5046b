// Command serve answers HTTP requests with a saved MNIST model, the way
// Go programs ship models:
//
//	go run ./examples/mnist -save model.npz
//	go run ./examples/serve -model model.npz -addr localhost:8080
//
// -model may also name an ONNX model of 28×28 digits to 10 class
// probabilities: one onnx.Save wrote, or one PyTorch exported with
// torch.onnx.export (its (N, 1, 28, 28) input takes the same 784
// values).
//
// GET / serves a page where you draw a digit with the mouse or a finger
// and see the model's answer as you draw.
//
// POST /predict classifies. The body is either an image of one digit
// (PNG, JPEG or GIF, sent as the body or as the file of a multipart
// form), preprocessed as examples/predict does (see mnist.DecodeDigit),
// or, with Content-Type application/json, rows of 784 values in [0, 1]
// (28×28, row-major, 0 the background, as mnist.Flatten makes them):
//
//	curl --data-binary @digit.png localhost:8080/predict
//	curl -H 'Content-Type: application/json' -d '{"rows": [[0, 0, ...]]}' localhost:8080/predict
//
// The answer is JSON, one prediction for the image or for each row:
//
//	{"predictions": [{"top": [{"class": 7, "probability": 0.992}, ...],
//	                  "probabilities": [0.0001, ...]}]}
//
// With ?input=1 an image's prediction also carries "input": the 784
// values the model saw. A bad request gets a 4xx status and
// {"error": "..."}: 405 for a wrong method, 413 for a body over 4 MiB,
// an image over 2048×2048 pixels or over 256 rows, 415 for a text body,
// 400 for anything else that is not an image of a digit or rows of 784
// values in [0, 1]. A request not answered within 30 s of being read
// (the server is overloaded) gets 503. Requests are served concurrently; the first SIGINT
// (or SIGTERM) stops accepting connections and lets those in flight
// finish, for up to 10 s; a second one kills the server at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gokeras/gokeras/examples/internal/digits"
)

func main() {
	model := flag.String("model", "", "the saved model: an .npz from examples/mnist or examples/convnet -save, or an ONNX model ending in a softmax (onnx.Save, torch.onnx.export)")
	addr := flag.String("addr", "localhost:8080", "the address to listen on")
	flag.Parse()
	if *model == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: serve -model PATH [-addr HOST:PORT]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	if err := run(ctx, *model, *addr, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// run loads the model and serves it on addr until ctx is done.
func run(ctx context.Context, model, addr string, logTo io.Writer) error {
	c, err := digits.Load(model, 3)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	logger := log.New(logTo, "serve: ", log.LstdFlags)
	logger.Printf("serving %s on http://%s/", model, l.Addr())
	return serve(ctx, l, newServer(c, logger))
}

// serve serves s on l until ctx is done, then shuts down: it stops
// accepting connections and waits up to 10 s for requests in flight.
func serve(ctx context.Context, l net.Listener, s *server) error {
	srv := newHTTPServer(s)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Printf("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// readTimeout bounds reading a request, body included.
const readTimeout = 30 * time.Second

// newHTTPServer sets the limits that keep slow or greedy clients from
// holding the server: header and body read timeouts, a write timeout
// that covers reading and answering (/predict sets its own once the body
// is read; see answerTimeout), idle connections closed, headers at most
// 64 kB.
func newHTTPServer(s *server) *http.Server {
	return &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      readTimeout + answerTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          s.log,
	}
}
