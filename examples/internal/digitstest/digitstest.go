// Package digitstest gives the examples' tests a trained MNIST model and
// the test digits, made once per test binary.
package digitstest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Fixture is a model saved to a file and the MNIST test digits.
type Fixture struct {
	Path   string         // the saved model
	Model  *nn.Sequential // the model as trained
	Images [][]uint8      // test digits, 784 bytes each, 0 is background
	Labels []int          // their classes
}

var (
	once    sync.Once
	fixture *Fixture
	failure error
	dir     string
)

// Get trains the lesson's MLP two epochs on the 60,000 training digits
// (one on the first 2,000 with -short; seed 1), saves it in a temporary
// directory and returns it with the first n ≤ 10,000 test digits. The
// model is trained once per test binary; call Cleanup from TestMain to
// remove the directory. Without the MNIST files it skips tb.
func Get(tb testing.TB, n int) *Fixture {
	tb.Helper()
	once.Do(func() { fixture, failure = build(testing.Short()) })
	if failure != nil {
		if errors.Is(failure, os.ErrNotExist) {
			tb.Skip(failure)
		}
		tb.Fatal(failure)
	}
	f := *fixture
	f.Images, f.Labels = f.Images[:n], f.Labels[:n]
	return &f
}

// Cleanup removes the model's directory.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

func build(short bool) (*Fixture, error) {
	d, err := mnist.Load()
	if err != nil {
		return nil, err
	}
	rows, epochs := 60000, 2
	if short {
		rows, epochs = 2000, 1
	}
	images := d.TrainImages.Data().([]uint8)[:rows*784]
	x := make([]float32, len(images))
	for i, v := range images {
		x[i] = float32(v) / 255
	}
	labels := d.TrainLabels.Data().([]uint8)[:rows]
	y := make([]float32, rows*10)
	for i, l := range labels {
		y[i*10+int(l)] = 1
	}
	m := nn.NewSequential(nn.Dense(512, nn.ReLU, nn.InputShape(784)), nn.Dense(10, nn.Softmax))
	if err := m.Build(1); err != nil {
		return nil, err
	}
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		return nil, err
	}
	if _, err := m.Fit(tensor.New(tensor.WithShape(rows, 784), tensor.WithBacking(x)), tensor.New(tensor.WithShape(rows, 10), tensor.WithBacking(y)), train.Epochs(epochs), train.BatchSize(128), train.Seed(1), train.Verbose(0)); err != nil {
		return nil, err
	}
	if dir, err = os.MkdirTemp("", "digitstest"); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "model.npz")
	if err := m.Save(path); err != nil {
		return nil, err
	}
	f := &Fixture{Path: path, Model: m}
	test := d.TestImages.Data().([]uint8)
	for i, l := range d.TestLabels.Data().([]uint8) {
		f.Images = append(f.Images, test[i*784:(i+1)*784])
		f.Labels = append(f.Labels, int(l))
	}
	return f, nil
}
