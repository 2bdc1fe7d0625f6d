package zipguard

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

func archive(t *testing.T, entries int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := range entries {
		f, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write([]byte("x"))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	small := archive(t, 10)
	if err := Check(bytes.NewReader(small), int64(len(small)), 100); err != nil {
		t.Fatalf("a small archive is refused: %v", err)
	}
	big := archive(t, 300)
	if err := Check(bytes.NewReader(big), int64(len(big)), 100); err == nil {
		t.Fatal("an archive with 300 entries passes a limit of 100")
	}
	// The declared count lies (1), but the directory is big: still refused.
	lying := bytes.Clone(big)
	i := bytes.LastIndex(lying, []byte("PK\x05\x06"))
	binary.LittleEndian.PutUint16(lying[i+8:], 1)
	binary.LittleEndian.PutUint16(lying[i+10:], 1)
	if err := Check(bytes.NewReader(lying), int64(len(lying)), 100); err == nil {
		t.Fatal("a lying entry count passes")
	}
	if err := Check(bytes.NewReader([]byte("not a zip at all, just some bytes")), 33, 100); err == nil {
		t.Fatal("garbage passes")
	}
}
