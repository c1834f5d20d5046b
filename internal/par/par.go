// Package par runs loops over index ranges on every core, with a pool of
// goroutines started once, for gokeras's element-wise work (optimizer
// updates). Each index is handled by exactly one call, and what a call
// computes must not depend on which goroutine runs it, so results are the
// same whatever the number of cores.
package par

import (
	"runtime"
	"sync"
)

// task is one range of one loop, handed to a worker.
type task struct {
	f      func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

var (
	start   sync.Once
	tasks   chan task
	workers int
	wgs     = sync.Pool{New: func() any { return new(sync.WaitGroup) }}
)

func startWorkers() {
	workers = runtime.GOMAXPROCS(0) - 1
	tasks = make(chan task, 4*max(workers, 1))
	for range workers {
		go func() {
			for t := range tasks {
				t.f(t.lo, t.hi)
				t.wg.Done()
			}
		}()
	}
}

// For calls f(lo, hi) on ranges that together cover [0, n) once each, and
// returns when every call has returned. Ranges hold at least grain indices
// (except the last), so a loop of fewer than 2·grain indices runs on the
// calling goroutine alone. f may be called from several goroutines at
// once, on disjoint ranges.
func For(n, grain int, f func(lo, hi int)) {
	start.Do(startWorkers)
	grain = max(grain, 1)
	parts := min(workers+1, n/grain)
	if parts <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	wg := wgs.Get().(*sync.WaitGroup)
	size := (n + parts - 1) / parts
	wg.Add(parts - 1)
	for lo := size; lo < n; lo += size {
		tasks <- task{f, lo, min(lo+size, n), wg}
	}
	f(0, size)
	wg.Wait()
	wgs.Put(wg)
}
