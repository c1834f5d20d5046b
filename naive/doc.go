// Package naive holds the lesson's naive tensor operations (section 2.3 of
// the lesson gokeras grew from): relu, addition, the bias broadcast, the
// dot products, reshape and transpose, written as plain Go loops over
// float64 tensors so that every step is visible. They compute what the
// tensor library and gokeras's graph operations compute, only slowly; the
// benchmarks in bench/ measure by how much.
//
// Each function returns a new tensor and leaves its inputs alone; a tensor
// of the wrong rank, shape or type is an error naming it, where the
// lesson's Python asserts. This is teaching code: networks use package
// graph.
package naive
