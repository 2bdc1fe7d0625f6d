package storage

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// objectReader is an io.ReadSeeker over one object for http.ServeContent.
// Seeking costs nothing; reading opens a range read at the current offset,
// so only the bytes a response sends are fetched from the store. When the
// request's Range header announces a range starting at the offset, the
// read asks the store for exactly that range; otherwise up to the end
// (and is closed early when ServeContent has sent enough).
type objectReader struct {
	ctx    context.Context
	bucket *blob.Bucket
	key    string
	size   int64
	hints  map[int64]int64 // range start → length, from the Range header

	off int64
	r   io.ReadCloser
}

func newObjectReader(ctx context.Context, b *blob.Bucket, key string, size int64, rangeHeader string) *objectReader {
	return &objectReader{ctx: ctx, bucket: b, key: key, size: size, hints: rangeHints(rangeHeader, size)}
}

func (o *objectReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.off
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start of the object")
	}
	if offset != o.off {
		o.closeReader()
		o.off = offset
	}
	return offset, nil
}

func (o *objectReader) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.r == nil {
		length := o.size - o.off
		if n, ok := o.hints[o.off]; ok && n > 0 && n < length {
			length = n
		}
		r, err := o.bucket.NewRangeReader(o.ctx, o.key, o.off, length, nil)
		if err != nil {
			return 0, err
		}
		o.r = r
	}
	n, err := o.r.Read(p)
	o.off += int64(n)
	if err == io.EOF {
		// The hinted range ended; a further read opens the next one.
		o.closeReader()
		if o.off < o.size {
			err = nil
		}
	}
	return n, err
}

func (o *objectReader) closeReader() {
	if o.r != nil {
		_ = o.r.Close()
		o.r = nil
	}
}

// Close releases the open range read, if any.
func (o *objectReader) Close() error {
	o.closeReader()
	return nil
}

// rangeHints parses a Range header ("bytes=0-99,200-,-50") into the start
// and length of each range, as http.ServeContent will serve them. A header
// it cannot parse gives no hints (reads then run to the end).
func rangeHints(h string, size int64) map[int64]int64 {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || size <= 0 {
		return nil
	}
	hints := map[int64]int64{}
	for part := range strings.SplitSeq(spec, ",") {
		first, last, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil
		}
		if first == "" {
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil || n <= 0 {
				return nil
			}
			n = min(n, size)
			hints[size-n] = n
			continue
		}
		start, err := strconv.ParseInt(first, 10, 64)
		if err != nil || start < 0 || start >= size {
			return nil
		}
		end := size - 1
		if last != "" {
			if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
				return nil
			}
			end = min(end, size-1)
		}
		hints[start] = max(hints[start], end-start+1)
	}
	return hints
}
