//go:build !linux

package main

import "os"

// maxRSSKiB returns -1: the peak memory is only read on Linux.
func maxRSSKiB(ps *os.ProcessState) int64 { return -1 }
