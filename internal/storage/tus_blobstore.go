package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	"gocloud.dev/blob"

	blobstore "github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// blobUploads is a tusd data store that keeps unfinished uploads in the
// shared object store (any blob backend: a local directory, S3, GCS,
// Azure), so that every storage replica can resume any upload. An upload
// is, under tusPrefix:
//
//	<id>.info               tusd's FileInfo (size, metadata) as JSON
//	<id>/<offset, 20 digits> one object per chunk received, named by the
//	                         offset of its first byte
//
// The offset is where the chain of chunks starting at 0 ends; objects
// appear whole or not at all (S3 and the others commit on close, the local
// directory renames), so a chunk cut short keeps the bytes that arrived and
// a resumed upload continues after them. Writers are kept apart by the
// tus locker (tus_lock.go): one request per upload at a time, on any
// replica.
type blobUploads struct {
	bucket *blobstore.Bucket
	log    *slog.Logger
	// createFailed is called when an upload's info could not be written, to
	// release the reservation made for it (nil: nothing to release).
	createFailed func(ctx context.Context, id string)
}

// objectStoreDown is the detail of a 503 answered while the object store
// cannot be reached.
const objectStoreDown = "the object store cannot be reached; what the upload holds is kept: retry later, after HEAD tells the offset"

// fail turns an object store failure into the answer tusd sends (tusd
// answers any other error 500): 507 when the store is full, 503 (the edge
// adds Retry-After) when it cannot be reached. Other errors pass with
// what failed named; nil, tusd's own errors and ErrNotFound unchanged.
func (b *blobUploads) fail(ctx context.Context, err error, what string) error {
	var known tusd.Error
	switch {
	case err == nil, errors.As(err, &known), errors.Is(err, tusd.ErrNotFound):
		return err
	case storageFull(err):
		return tusError(ctx, http.StatusInsufficientStorage, "insufficient-storage", storageFullDetail)
	case httpx.DependencyUnavailable(err):
		if b.log != nil {
			b.log.WarnContext(ctx, "object store unreachable", slog.String("during", what), slog.Any("error", err))
		}
		return tusErrorFor(ctx, errs.Wrap(errs.Unavailable, err, objectStoreDown))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// tusPrefix is where unfinished uploads live in the bucket.
const tusPrefix = "uploads/tus/"

// partName is the 20-digit decimal offset that names a chunk.
func partName(offset int64) string { return fmt.Sprintf("%020d", offset) }

type blobUpload struct {
	store *blobUploads
	id    string
}

func (b *blobUploads) infoKey(id string) string { return tusPrefix + id + ".info" }
func (b *blobUploads) partsPrefix(id string) string {
	return tusPrefix + id + "/"
}

// NewUpload records the upload's info; no bytes yet.
func (b *blobUploads) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	if info.ID == "" {
		return nil, errors.New("tus upload without an ID")
	}
	info.Storage = map[string]string{"Type": "blob", "Key": b.partsPrefix(info.ID)}
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	if err := b.bucket.WriteAll(ctx, b.infoKey(info.ID), raw, &blob.WriterOptions{ContentType: "application/json"}); err != nil {
		// Nothing of the upload exists: its reservation goes too.
		if b.createFailed != nil {
			b.createFailed(ctx, info.ID)
		}
		return nil, b.fail(ctx, err, "tus upload info")
	}
	return &blobUpload{store: b, id: info.ID}, nil
}

// GetUpload finds an upload by its info object.
func (b *blobUploads) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	ok, err := b.bucket.Exists(ctx, b.infoKey(id))
	if err != nil {
		return nil, b.fail(ctx, err, "tus upload info")
	}
	if !ok {
		return nil, tusd.ErrNotFound
	}
	return &blobUpload{store: b, id: id}, nil
}

func (b *blobUploads) AsTerminatableUpload(u tusd.Upload) tusd.TerminatableUpload {
	return u.(*blobUpload)
}

// part is one stored chunk.
type part struct {
	key      string
	offset   int64
	size     int64
	modified time.Time
}

// parts lists the chain of chunks from offset 0, in order; chunks off the
// chain (none, unless a write raced a crashed lock holder) are left out.
func (b *blobUploads) parts(ctx context.Context, id string) ([]part, error) {
	var all []part
	it := b.bucket.List(&blob.ListOptions{Prefix: b.partsPrefix(id)})
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(o.Key, b.partsPrefix(id))
		if len(name) != 20 {
			continue
		}
		off, err := strconv.ParseInt(name, 10, 64)
		if err != nil || o.IsDir {
			continue
		}
		all = append(all, part{key: o.Key, offset: off, size: o.Size, modified: o.ModTime})
	}
	slices.SortFunc(all, func(a, b part) int { return int(min(max(a.offset-b.offset, -1), 1)) })
	var chain []part
	var next int64
	for _, p := range all {
		if p.offset == next && p.size > 0 {
			chain = append(chain, p)
			next += p.size
		}
	}
	return chain, nil
}

func (u *blobUpload) GetInfo(ctx context.Context) (tusd.FileInfo, error) {
	raw, err := u.store.bucket.ReadAll(ctx, u.store.infoKey(u.id))
	if blobstore.IsNotFound(err) {
		return tusd.FileInfo{}, tusd.ErrNotFound
	}
	if err != nil {
		return tusd.FileInfo{}, u.store.fail(ctx, err, "tus upload info")
	}
	var info tusd.FileInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		return tusd.FileInfo{}, fmt.Errorf("tus upload info: %w", err)
	}
	parts, err := u.store.parts(ctx, u.id)
	if err != nil {
		return tusd.FileInfo{}, u.store.fail(ctx, err, "tus upload chunks")
	}
	info.Offset = 0
	for _, p := range parts {
		info.Offset += p.size
	}
	return info, nil
}

// WriteChunk stores what src carries as the chunk at offset. The write
// outlives a client that hangs up: the bytes that arrived are kept.
func (u *blobUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Hour)
	defer cancel()
	// Read the first byte before creating the object: an empty body
	// leaves no empty chunk behind.
	var first [1]byte
	n, rerr := io.ReadFull(src, first[:])
	if n == 0 {
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			return 0, nil
		}
		return 0, rerr
	}
	w, err := u.store.bucket.NewWriter(wctx, u.store.partsPrefix(u.id)+partName(offset),
		&blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return 0, u.store.fail(ctx, err, "tus chunk")
	}
	if _, err := w.Write(first[:]); err != nil {
		_ = w.Close()
		return 0, u.store.fail(ctx, err, "tus chunk")
	}
	copied, rerr := io.Copy(w, src)
	written := copied + 1
	if err := w.Close(); err != nil {
		// Nothing of the chunk was committed: the offset stays.
		return 0, u.store.fail(ctx, err, "tus chunk")
	}
	if storageFull(rerr) {
		// The bytes written before the disk filled are kept (the offset
		// says where to resume); the client is told why it must wait.
		return written, tusError(ctx, http.StatusInsufficientStorage, "insufficient-storage", storageFullDetail)
	}
	return written, rerr
}

// GetReader reads the upload's bytes, chunk after chunk.
func (u *blobUpload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	parts, err := u.store.parts(ctx, u.id)
	if err != nil {
		return nil, u.store.fail(ctx, err, "tus upload chunks")
	}
	return &partsReader{ctx: ctx, bucket: u.store.bucket, parts: parts}, nil
}

func (u *blobUpload) FinishUpload(context.Context) error { return nil }

// Terminate deletes the chunks, then the info.
func (u *blobUpload) Terminate(ctx context.Context) error {
	it := u.store.bucket.List(&blob.ListOptions{Prefix: u.store.partsPrefix(u.id)})
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return u.store.fail(ctx, err, "tus upload chunks")
		}
		if err := u.store.bucket.Delete(ctx, o.Key); err != nil && !blobstore.IsNotFound(err) {
			return u.store.fail(ctx, err, "tus chunk")
		}
	}
	if err := u.store.bucket.Delete(ctx, u.store.infoKey(u.id)); err != nil && !blobstore.IsNotFound(err) {
		return u.store.fail(ctx, err, "tus upload info")
	}
	return nil
}

// lastTouched is when the upload last received a chunk (or was created).
func (b *blobUploads) lastTouched(ctx context.Context, id string) (time.Time, error) {
	attrs, err := b.bucket.Attributes(ctx, b.infoKey(id))
	if err != nil {
		return time.Time{}, err
	}
	last := attrs.ModTime
	parts, err := b.parts(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	for _, p := range parts {
		if p.modified.After(last) {
			last = p.modified
		}
	}
	return last, nil
}

// ids lists the uploads in the bucket with when each was last touched
// (by its info or any of its objects).
func (b *blobUploads) ids(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	it := b.bucket.List(&blob.ListOptions{Prefix: tusPrefix})
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rest := strings.TrimPrefix(o.Key, tusPrefix)
		id, _, _ := strings.Cut(strings.TrimSuffix(rest, ".info"), "/")
		if o.ModTime.After(out[id]) {
			out[id] = o.ModTime
		}
	}
}

// partsReader reads the chunks one after another.
type partsReader struct {
	ctx    context.Context
	bucket *blobstore.Bucket
	parts  []part
	cur    io.ReadCloser
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if len(r.parts) == 0 {
				return 0, io.EOF
			}
			rd, err := r.bucket.NewReader(r.ctx, r.parts[0].key, nil)
			if err != nil {
				return 0, err
			}
			r.cur, r.parts = rd, r.parts[1:]
		}
		n, err := r.cur.Read(p)
		if errors.Is(err, io.EOF) {
			_ = r.cur.Close()
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (r *partsReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}
