// Package atomicfile writes files so that a reader, or a crash, never
// sees half of one: the path holds either its previous content or the
// complete new one.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/pkg/errors"
)

// Write writes a file at path with write: write goes, buffered, to a
// temporary file ".<name>-*.tmp" in the same directory, which is synced,
// closed and renamed over path; then the directory is synced. On any
// failure before the rename the temporary file is removed and path is
// untouched, also when write panics (the panic goes on). The new file
// gets the previous file's permissions, or 0644.
// A path that exists and is not a regular file is an error. Errors are
// not wrapped with the path: the caller says what it was writing.
func Write(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return errors.New("not a regular file")
		}
		perm = st.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+base+"-*.tmp")
	if err != nil {
		return errors.Wrap(err, "creating a temporary file")
	}
	tmp := f.Name()
	renamed := false
	defer func() { // also when write panics
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return errors.Wrap(err, "writing")
	}
	if err = f.Chmod(perm); err != nil {
		return errors.Wrap(err, "setting permissions")
	}
	if err = f.Sync(); err != nil {
		return errors.Wrap(err, "syncing")
	}
	if err = f.Close(); err != nil {
		return errors.Wrap(err, "closing")
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrap(err, "renaming the temporary file into place")
	}
	renamed = true
	return errors.Wrap(syncDir(dir), "the file is in place, but syncing its directory failed")
}

// WriteBytes writes data at path as Write does.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return errors.Wrap(err, "writing")
	})
}

// syncDir makes a rename in dir durable, where the system allows it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
