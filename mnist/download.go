package mnist

import (
	"bytes"
	"fmt"
	"github.com/gokeras/gokeras/internal/atomicfile"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
)

// Mirrors are the base URLs Load downloads MNIST from, in order, when the
// files are nowhere on disk. Each must serve MNIST's four canonical .gz
// files, which are checked against their published SHA-256. Fashion-MNIST
// is never downloaded.
var Mirrors = []string{
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
}

// maxDownload bounds one file's download (the largest is 9.9 MB).
const maxDownload = 64 << 20

var httpClient = &http.Client{Timeout: 2 * time.Minute}

// download fetches every one of files that dir lacks from the first mirror that
// serves it with the right checksum, writing each atomically.
func download(dir string, mirrors []string, files []file) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errors.Wrapf(err, "creating the cache directory %s", dir)
	}
	for _, f := range files {
		if locate(dir, f) != "" {
			continue
		}
		var errs []string
		ok := false
		for _, m := range mirrors {
			url := m + f.name + ".gz"
			body, err := fetch(url)
			if err == nil && sha256Hex(body) != f.gzSHA256 {
				err = errors.Errorf("SHA-256 %s, want %s", sha256Hex(body), f.gzSHA256)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", url, err))
				continue
			}
			path := filepath.Join(dir, f.name+".gz")
			if err := atomicfile.WriteBytes(path, body); err != nil {
				return errors.Wrapf(err, "writing %s", path)
			}
			ok = true
			break
		}
		if !ok {
			return errors.Errorf("no mirror served %s.gz: %v", f.name, errs)
		}
	}
	return nil
}

func fetch(url string) ([]byte, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.Errorf("HTTP %s", resp.Status)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, err
	}
	if n > maxDownload {
		return nil, errors.Errorf("larger than %d bytes", maxDownload)
	}
	return buf.Bytes(), nil
}
