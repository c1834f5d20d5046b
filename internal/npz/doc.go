// Package npz reads and writes numpy's .npz archives of float32 and
// uint8 arrays, the format gokeras saves models in: Write writes
// uncompressed .npy entries as numpy.savez does, byte for byte in their
// headers; Read reads any archive of C-order little-endian float32 or
// uint8 arrays, checking every length against what the entry holds, and
// returns an error (never a panic) on a malformed file.
package npz
