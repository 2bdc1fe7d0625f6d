// Package zipguard checks a zip archive's directory before archive/zip reads
// it: archive/zip allocates one header per directory entry and trusts only
// the low 16 bits of the declared count, so a crafted directory can cost
// far more memory than the file's size suggests.
package zipguard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// minHeader is the size of a central directory header without its name,
// extra field and comment: no entry takes less room in the directory.
const minHeader = 46

// Check reads the end-of-central-directory record. Its errors complete a
// sentence about the archive ("the EPUB " + err).
//
// Check reads the end-of-central-directory record and refuses an archive
// whose directory could hold more than maxEntries entries (judged by its
// size, which archive/zip reads in full, not by the declared count) or that
// needs zip64.
func Check(r io.ReaderAt, size int64, maxEntries int) error {
	const eocdLen, maxComment = 22, 65535
	if size < eocdLen {
		return errors.New("is not a readable zip archive")
	}
	n := min(int64(eocdLen+maxComment), size)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || i+eocdLen > len(buf) {
		return errors.New("is not a readable zip archive")
	}
	declared := int(binary.LittleEndian.Uint16(buf[i+10:]))
	dirSize := int64(binary.LittleEndian.Uint32(buf[i+12:]))
	if declared == 0xFFFF || dirSize == 0xFFFFFFFF {
		return errors.New("is a zip64 archive, larger than any accepted here")
	}
	if declared > maxEntries || dirSize/minHeader > int64(maxEntries) {
		return fmt.Errorf("has too many files (more than %d)", maxEntries)
	}
	return nil
}
