package onnx

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnmarshal feeds Unmarshal damaged models (seeded with the PyTorch
// exports and some of ONNX's node tests): it must return a model or an
// error, never panic or hang, and a model it returns must be built.
func FuzzUnmarshal(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "torch", "*.onnx"))
	nodes, _ := filepath.Glob(filepath.Join("testdata", "node", "test_*", "model.onnx"))
	for i, p := range nodes {
		if i%4 == 0 {
			seeds = append(seeds, p)
		}
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 20000 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err == nil && (m == nil || !m.Built()) {
			t.Fatal("no error, but no built model")
		}
	})
}
