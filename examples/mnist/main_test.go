//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the signal goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFirstInterruptCancels sends the process a SIGINT: the context is
// cancelled and the program says so, and it goes on running (a second
// SIGINT would exit, which a test cannot watch).
func TestFirstInterruptCancels(t *testing.T) {
	var out syncBuffer
	ctx, stop := interrupts(&out, filepath.Join(t.TempDir(), "m.npz"))
	defer stop()
	if ctx.Err() != nil {
		t.Fatal("cancelled before any signal")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Skip("cannot signal the test process:", err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}
	// The message is written before the context is cancelled.
	if got := out.String(); !strings.Contains(got, "interrupted: stopping after the current step (Ctrl-C again to quit at once)") {
		t.Errorf("message %q", got)
	}
}
