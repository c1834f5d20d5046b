package nn

import (
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/train"
)

// BenchmarkSave saves and loads the lesson's MLP (407,050 weights and
// RMSprop's 407,050 slots), the model a per-epoch checkpoint writes.
func BenchmarkSave(b *testing.B) {
	m := built(b, NewSequential(Dense(512, ReLU, InputShape(784)), Dense(10, Softmax)), 1)
	if err := m.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "m.npz")
	b.Run("Save", func(b *testing.B) {
		for range b.N {
			if err := m.Save(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Load", func(b *testing.B) {
		for range b.N {
			if _, err := Load(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
