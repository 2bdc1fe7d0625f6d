package zipguard

import (
	"archive/zip"
	"bytes"
	"testing"
)

// FuzzCheck: Check never panics, and an archive it lets through opens in
// archive/zip with at most maxEntries entries or fails there cleanly (the
// guard judges the directory before archive/zip allocates for it).
func FuzzCheck(f *testing.F) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range []string{"a", "b/c", "mimetype"} {
		fw, _ := w.Create(name)
		_, _ = fw.Write([]byte(name))
	}
	_ = w.Close()
	f.Add(b.Bytes(), 10)
	f.Add(b.Bytes(), 1)
	f.Add([]byte("PK\x05\x06"+string(make([]byte, 18))), 10)
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00"), 10)
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x10\x00\x10\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00"), 10)
	f.Add([]byte{}, 0)
	f.Fuzz(func(t *testing.T, data []byte, maxEntries int) {
		if maxEntries < 0 || maxEntries > 1<<16 {
			return
		}
		if err := Check(bytes.NewReader(data), int64(len(data)), maxEntries); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err == nil && len(zr.File) > maxEntries {
			t.Fatalf("Check passed an archive of %d entries (limit %d)", len(zr.File), maxEntries)
		}
	})
}
