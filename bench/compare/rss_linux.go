package main

import (
	"os"
	"syscall"
)

// maxRSSKiB returns the peak resident set size of an exited process in
// KiB (Linux's ru_maxrss unit), or -1 where it is not known.
func maxRSSKiB(ps *os.ProcessState) int64 {
	if ps == nil {
		return -1
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return -1
}
