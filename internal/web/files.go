package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// file is one asset held in memory with its precompressed variants.
type file struct {
	name        string
	contentType string
	etag        string // of the identity bytes; variants append their coding
	body        []byte
	gzip        []byte // nil when not worth compressing
	brotli      []byte // only when the build wrote a .br file
}

// minCompress is the size below which compression costs more than it saves.
const minCompress = 512

// contentTypes are set explicitly rather than read from the host's MIME
// tables, which differ between machines (a .js served as text/plain is
// refused by browsers under nosniff).
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".wasm":        "application/wasm",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8",
	".bcmap":       "application/octet-stream",
	".pfb":         "application/octet-stream",
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/json") ||
		strings.HasPrefix(ct, "application/manifest") || ct == "image/svg+xml" || ct == "application/wasm"
}

// loadFiles reads every file of fsys into memory, gzips what is worth it and
// picks up brotli variants written at build time (name.br). Gzip files
// written at build time (name.gz) are used as they are.
func loadFiles(fsys fs.FS) (map[string]*file, error) {
	raw := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		raw["/"+p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web assets: %w", err)
	}
	files := map[string]*file{}
	for name, b := range raw {
		if strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
			if _, ok := raw[name[:len(name)-3]]; ok {
				continue // a variant, attached below
			}
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		f := &file{name: name, contentType: ct, body: b, etag: hex.EncodeToString(sum[:12])}
		if compressible(ct) && len(b) >= minCompress {
			f.brotli = raw[name+".br"]
			f.gzip = raw[name+".gz"]
			if f.gzip == nil {
				if f.gzip, err = gzipBytes(b); err != nil {
					return nil, err
				}
			}
			if len(f.gzip) >= len(b) {
				f.gzip = nil
			}
			if len(f.brotli) >= len(b) {
				f.brotli = nil
			}
		}
		files[name] = f
	}
	return files, nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
