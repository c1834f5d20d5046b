//go:build unix

package main

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeras/gokeras/examples/internal/digitstest"
)

// TestSIGINTShutsDownCleanly runs the command (this test binary, made to
// run main by an environment variable; see TestMain), waits until it
// answers, sends it SIGINT and checks that it exits with status 0 after
// saying it shuts down.
func TestSIGINTShutsDownCleanly(t *testing.T) {
	f := digitstest.Get(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-model", f.Path, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var log []string
	url := ""
	for url == "" && lines.Scan() {
		log = append(log, lines.Text())
		if _, after, ok := strings.Cut(lines.Text(), " on http://"); ok {
			url = "http://" + after
		}
	}
	if url == "" {
		t.Fatalf("the server did not say where it listens:\n%s", strings.Join(log, "\n"))
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log = append(log, lines.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGINT the server exited with %v, want status 0:\n%s", err, strings.Join(log, "\n"))
	}
	if !strings.Contains(strings.Join(log, "\n"), "shutting down") {
		t.Errorf("the server did not say it shuts down:\n%s", strings.Join(log, "\n"))
	}
}
