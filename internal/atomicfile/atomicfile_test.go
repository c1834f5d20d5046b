package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pkg/errors"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteBytes(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	for _, n := range []int{0, 3, 1 << 17} {
		err := Write(path, func(w io.Writer) error {
			if _, err := w.Write(bytes.Repeat([]byte("x"), n)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("after %d bytes: error %v, want the write function's", n, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "first" {
			t.Fatalf("a failed write after %d bytes changed the file to %q", n, b)
		}
	}
	if err := WriteBytes(path, []byte("second")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Fatalf("file holds %q, want %q", b, "second")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("permissions %v, want the previous file's 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (no temporary left)", len(entries))
	}
	if err := WriteBytes(dir, nil); err == nil {
		t.Error("writing over a directory: no error")
	}
	if err := WriteBytes(filepath.Join(dir, "no", "f"), nil); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}

func TestWritePanicLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		Write(path, func(w io.Writer) error {
			w.Write([]byte("half"))
			panic("boom")
		})
	}()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a panicking write left %d entries, want none", len(entries))
	}
}
