package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool: goroutines started lazily, the first time a product is
// split (and again only if GOMAXPROCS grows), then kept for the life of the
// program. A split product sends its parts to them as task values on a
// buffered channel and computes one part itself; nothing is allocated per
// call: jobs come from a free list, and each worker keeps its workspace.

// workerOverride, when positive, replaces GOMAXPROCS as the number of
// parts a product may be split into. Tests set it to check that the result
// does not depend on it.
var workerOverride int

// job is one split product.
type job struct {
	problem
	splitCols bool // parts are column ranges (else row ranges)
	parts     int
	pending   atomic.Int32  // parts not yet done by the workers
	done      chan struct{} // receives a value when pending reaches 0
}

// task asks a worker to compute part of a job.
type task struct {
	j    *job
	part int
}

var (
	poolMu  sync.Mutex
	started atomic.Int32 // worker goroutines running
	tasks   = make(chan task, 64)
	jobs    = make(chan *job, 16) // free list
	wsMu    sync.Mutex
	wsFree  []*workspace // free list for callers' workspaces
)

// numWorkers returns how many parts a product may be split into.
func numWorkers() int {
	if workerOverride > 0 {
		return workerOverride
	}
	return runtime.GOMAXPROCS(0)
}

// ensureWorkers makes sure n worker goroutines run.
func ensureWorkers(n int) {
	if int(started.Load()) >= n {
		return
	}
	poolMu.Lock()
	for int(started.Load()) < n {
		go worker()
		started.Add(1)
	}
	poolMu.Unlock()
}

// spinFor is how long a worker keeps polling for the next task after one,
// yielding its processor in between, before it sleeps on the channel.
// Waking a sleeping goroutine on another core takes tens of
// microseconds, as long as a small product takes; while a program keeps
// multiplying, as a training loop does, the workers stay awake.
var spinFor = 200 * time.Microsecond

func worker() {
	ws := new(workspace)
	for {
		t := <-tasks
		for {
			t.j.run(t.part, ws)
			if t.j.pending.Add(-1) == 0 {
				t.j.done <- struct{}{}
			}
			var ok bool
			if t, ok = poll(); !ok {
				break
			}
		}
	}
}

// poll waits up to spinFor for a task without sleeping.
func poll() (task, bool) {
	var start time.Time
	for i := 0; ; i++ {
		select {
		case t := <-tasks:
			return t, true
		default:
		}
		if i%64 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return task{}, false
			}
		}
		runtime.Gosched()
	}
}

func getWorkspace() *workspace {
	wsMu.Lock()
	defer wsMu.Unlock()
	if n := len(wsFree); n > 0 {
		ws := wsFree[n-1]
		wsFree = wsFree[:n-1]
		return ws
	}
	return new(workspace)
}

func putWorkspace(ws *workspace) {
	wsMu.Lock()
	wsFree = append(wsFree, ws)
	wsMu.Unlock()
}

func getJob() *job {
	select {
	case j := <-jobs:
		return j
	default:
		return &job{done: make(chan struct{}, 1)}
	}
}

func putJob(j *job) {
	j.problem = problem{} // drop the references to the caller's slices
	select {
	case jobs <- j:
	default:
	}
}

// run computes part of the job: a range of whole tiles.
func (j *job) run(part int, ws *workspace) {
	pr := &j.problem
	if j.splitCols {
		tiles := (pr.n + nr - 1) / nr
		lo, hi := tiles*part/j.parts, tiles*(part+1)/j.parts
		pr.region(ws, 0, pr.m, lo*nr, min(hi*nr, pr.n))
		return
	}
	tiles := (pr.m + mr - 1) / mr
	lo, hi := tiles*part/j.parts, tiles*(part+1)/j.parts
	pr.region(ws, lo*mr, min(hi*mr, pr.m), 0, pr.n)
}

// serial computes the whole product on the calling goroutine.
func (pr *problem) serial() {
	ws := getWorkspace()
	pr.region(ws, 0, pr.m, 0, pr.n)
	putWorkspace(ws)
}

// parallel splits the product into parts parts, along the columns or the
// rows, computes part 0 itself and waits for the workers' parts.
func (pr *problem) parallel(splitCols bool, parts int) {
	ensureWorkers(parts - 1)
	j := getJob()
	j.problem = *pr
	j.splitCols, j.parts = splitCols, parts
	j.pending.Store(int32(parts - 1))
	for p := 1; p < parts; p++ {
		tasks <- task{j, p}
	}
	ws := getWorkspace()
	j.run(0, ws)
	putWorkspace(ws)
	// Spin a while before sleeping: waking up takes as long as a small
	// product.
	start := time.Now()
	for i := 1; j.pending.Load() != 0; i++ {
		if i%64 == 0 && time.Since(start) > spinFor {
			break
		}
		runtime.Gosched()
	}
	<-j.done // there already, or soon
	putJob(j)
}
