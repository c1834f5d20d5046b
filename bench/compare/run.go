package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// implementation is one side of the comparison: how to start its training
// run and how to read its epoch lines.
type implementation struct {
	name  string
	path  string   // program
	args  []string // arguments
	env   []string // added to the environment
	dir   string   // working directory
	parse epochParser
}

// runResult is one training run.
type runResult struct {
	impl      string
	pair      int           // 1-based
	wall      time.Duration // whole process, start to exit
	maxRSSKiB int64         // peak resident set size
	epochs    []time.Duration
	secPer    float64 // seconds per epoch (median, epochs 2..E)
	warm      bool    // secPer includes epoch 1 (only one epoch)
	testAcc   float64
	lastEpoch epochLine
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// runTraining runs one training run of impl, timestamping each line of its
// standard output, and checks that it printed epochs epoch lines and a
// test accuracy. progress, if not nil, gets a note per epoch as it ends.
func runTraining(impl implementation, pair, epochs int, progress io.Writer) (runResult, error) {
	r := runResult{impl: impl.name, pair: pair}
	cmd := exec.Command(impl.path, impl.args...)
	cmd.Dir = impl.dir
	cmd.Env = append(os.Environ(), impl.env...)
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, fmt.Errorf("%s: %v", impl.name, err)
	}
	var lines []line
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sc.Split(splitLines)
	n := 0
	for sc.Scan() {
		l := line{at: time.Since(start), text: sc.Text()}
		lines = append(lines, l)
		if _, ok := impl.parse(l.text); ok && progress != nil {
			n++
			fmt.Fprintf(progress, "  %s pair %d: epoch %d/%d ended at %.1fs\n", impl.name, pair, n, epochs, l.at.Seconds())
		}
	}
	scanErr := sc.Err()
	if scanErr != nil {
		// Keep draining so the child never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	r.wall = time.Since(start)
	r.maxRSSKiB = maxRSSKiB(cmd.ProcessState)
	stdoutText := joinLines(lines)
	fail := func(what error) (runResult, error) {
		return r, fmt.Errorf("%s (pair %d): %v\n  command: %s\n--- stdout tail ---\n%s\n--- stderr tail ---\n%s",
			impl.name, pair, what, commandLine(impl), lastLines(stdoutText, 10), lastLines(stderr.String(), 30))
	}
	if waitErr != nil {
		return fail(waitErr)
	}
	if scanErr != nil {
		return fail(fmt.Errorf("reading stdout: %v", scanErr))
	}
	t, err := parseTranscript(lines, impl.parse, epochs)
	if err != nil {
		return fail(err)
	}
	r.epochs = t.durations()
	r.secPer, r.warm = secondsPerEpoch(r.epochs)
	r.testAcc = t.testAccuracy
	r.lastEpoch = t.epochs[len(t.epochs)-1]
	return r, nil
}

// joinLines returns the text of lines, one per line.
func joinLines(lines []line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// commandLine shows how impl is run, as a shell line.
func commandLine(impl implementation) string {
	parts := append(append([]string(nil), impl.env...), impl.path)
	return strings.Join(append(parts, impl.args...), " ")
}
