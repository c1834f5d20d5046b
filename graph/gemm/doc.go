// Package gemm is gokeras's float32 matrix product (BLAS sgemm) for
// row-major matrices: C ← alpha·op(A)·op(B) + beta·C, op a transpose or
// not.
//
// It is installed for Gorgonia and tensor by the graph package, so every
// float32 matrix product in a gokeras graph runs here; Implementation
// embeds gonum's BLAS for everything else and checks its arguments as
// gonum does.
//
// # How it computes
//
// The structure is BLIS's. C is cut into tiles of 6 rows by 16 columns;
// a micro-kernel computes one tile over a block of k, keeping the 6×16
// sums in 12 AVX registers and issuing 12 fused multiply-adds for each
// step of k (16 values of B, 6 broadcast values of A). The k dimension is
// cut into blocks of at most 256 (kcMax), so that a 6×kc sliver of A and a
// kc×16 panel of B stay in L1; blocks of 240 rows of A in L2. Panels of
// op(A) and op(B) are packed, zero-padded, into contiguous buffers in the
// order the kernel reads them, so the transposes are handled by packing
// and one kernel serves all four cases; where a panel already lies in
// memory as the kernel reads it (A transposed, B not) and is used by few
// tiles, the kernel reads it in place instead. Where C's width is small
// and k is long (a layer of 10 units, say), the package computes Cᵀ =
// op(B)ᵀ·op(A)ᵀ, which pads less; the products summed and their order are
// the same either way. Alpha scales each tile's sums as they are added to
// C; beta scales C first, and with beta 0 the first k block stores into C
// without reading it.
//
// On amd64 CPUs with AVX2 and FMA (checked at run time with
// golang.org/x/sys/cpu) the micro-kernel and the packing are in assembly
// (kernel_amd64.s, pack_amd64.s); elsewhere, or built with the purego tag
// (go build -tags purego), a pure-Go kernel runs with the same packing
// and blocking. The assembly kernel fuses each multiply-add (one rounding
// where a multiply then an add round twice), so the two kernels' results
// differ in the last bits, unless the compiler fuses the Go kernel's too
// (as on arm64, or with GOAMD64=v3).
//
// Products large enough to be worth it (m·n·k ≥ 2¹⁸) are split into one
// part per processor (GOMAXPROCS): whole tiles, by columns or by rows,
// whichever packs less, each part computed by one goroutine of a small
// pool started on first use, the calling goroutine computing one part
// itself. Workers keep polling for work for a short while (200 µs) before
// sleeping, since waking a sleeping goroutine costs as much as a small
// product; a training loop keeps them awake. Packing buffers are kept per
// goroutine and jobs are recycled, so a product allocates nothing once
// warm.
//
// # Determinism
//
// The result is the same bit for bit on every run and whatever the number
// of goroutines: every element of C is computed by the same kernel, from
// the same k blocks (which depend on k alone) in the same order, whichever
// goroutine computes it and wherever its tile lies. Tiles at the edges of
// C go through the same kernel on zero-padded panels into a small buffer,
// then into C with the same additions the kernel makes. No sum is ever
// split across goroutines. Training for the same seed thus gives the same
// history whatever the machine's core count (for a given kernel: the
// assembly and pure-Go kernels differ in rounding).
package gemm
