package processing

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzReadEPUB feeds the EPUB reader arbitrary archives: every failure is a
// bad input (the job fails permanently, nothing is retried), never a panic,
// and what it takes from a book stays within the limits.
func FuzzReadEPUB(f *testing.F) {
	f.Add(makeZip(f, epubEntries()))
	f.Add(makeZip(f, epubEntries(zipEntry{name: "../../etc/passwd", data: []byte("x")})))
	f.Add(makeZip(f, []zipEntry{{name: "mimetype", data: []byte("application/epub+zip")}}))
	f.Add(bombManyEntries(f, 50))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{})
	lim := testLimits()
	lim.MaxEntries = 100
	lim.MaxText = 64 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		book, err := readEPUBFrom(bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			var bad *badInputError
			if reason, perm := permanent(err, "book"); !errors.As(err, &bad) || !perm || reason == "" {
				t.Fatalf("%v is not a bad input", err)
			}
			return
		}
		if len(book.Text) > lim.MaxText || !utf8.ValidString(book.Title) {
			t.Fatalf("book exceeds limits: text %d bytes, title %q", len(book.Text), book.Title)
		}
	})
}
