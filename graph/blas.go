package graph

import (
	"github.com/gokeras/gokeras/graph/gemm"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// The graph package installs gokeras's float32 matrix product for
// Gorgonia and tensor when it is loaded, so that every float32 product in
// a graph, this package's own ops included, runs on it.
func init() { UseFastGEMM() }

// UseFastGEMM makes Gorgonia and tensor use gokeras's float32 matrix
// product (package gemm: AVX2 and FMA where the CPU has them, on every
// core) and gonum's BLAS for everything else. It is the default.
func UseFastGEMM() { G.Use(gemm.Implementation{}) }

// UseGonumBLAS switches Gorgonia and tensor back to gonum's pure-Go BLAS
// for every product, this package's ops included. Call it before running
// graphs, not while one runs.
func UseGonumBLAS() { G.Use(gonum.Implementation{}) }
