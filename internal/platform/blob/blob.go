// Package blob opens the object store every service that keeps files
// shares: a local directory by default, or S3 (and S3-compatible stores such
// as MinIO), Google Cloud Storage or Azure Blob Storage, chosen by URL
// (gocloud.dev/blob). The local directory is always there; the others are
// linked in only when registered (see Stores). Objects are addressed by key; storage keys content by
// its sha256, so identical files are stored once.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/gcerrors"
)

// Config selects the object store.
type Config struct {
	URL string `yaml:"url" env:"URL" secret:"true" doc:"object store: empty (<data dir>/blobs), file:///dir, s3://bucket?region=..&endpoint=..&use_path_style=true, gs://bucket, azblob://container"`
	// PresignDownloads redirects downloads to a presigned store URL (S3,
	// GCS, Azure) instead of streaming the bytes through the service.
	PresignDownloads bool `yaml:"presign_downloads" env:"PRESIGN_DOWNLOADS" doc:"redirect downloads to presigned S3/GCS/Azure URLs instead of proxying the bytes"`
}

// Validate checks the URL scheme: file, or a store compiled into this
// binary (see Stores).
func (c Config) Validate() error {
	if c.URL == "" {
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme == "" {
		return errors.New("blob.url: not a URL")
	}
	_, err = opener(u.Scheme)
	return err
}

// ErrNotFound is returned for a missing key.
var ErrNotFound = errors.New("blob: object not found")

// Bucket is an open object store.
type Bucket struct {
	*blob.Bucket
	// Remote is true for S3/GCS/Azure, where presigned URLs make sense.
	Remote bool
}

// Open opens the store named by c, or <dataDir>/blobs when c.URL is empty.
func Open(ctx context.Context, c Config, dataDir string) (*Bucket, error) {
	raw := c.URL
	if raw == "" {
		dir, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true})
		if err != nil {
			return nil, fmt.Errorf("blob store %s: %w", dir, err)
		}
		return &Bucket{Bucket: b}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, errors.New("blob.url: not a URL")
	}
	open, err := opener(u.Scheme)
	if err != nil {
		return nil, err
	}
	// The mux applies the URL's ?prefix= as gocloud's own URLs do.
	mux := new(blob.URLMux)
	mux.RegisterBucket(u.Scheme, open)
	b, err := mux.OpenBucketURL(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("blob.url: %w", err)
	}
	return &Bucket{Bucket: b, Remote: u.Scheme != fileblob.Scheme}, nil
}

// IsNotFound reports a missing object.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || gcerrors.Code(err) == gcerrors.NotFound
}

// PutFile copies a local file into the store under key.
func (b *Bucket) PutFile(ctx context.Context, key, path, contentType string) error {
	f, err := os.Open(path) //nolint:gosec // paths are the service's own temporary files
	if err != nil {
		return err
	}
	defer f.Close()
	// A copy that fails (a full disk, a cut connection) must leave no
	// object: the writer commits what it has on Close unless its context
	// is cancelled first. Keys are content addresses, so a truncated
	// object would pass for the whole file afterwards.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(wctx, key, &blob.WriterOptions{ContentType: contentType})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		cancel()
		_ = w.Close()
		return err
	}
	return w.Close()
}

// GetFile copies the object at key into a local file (at most limit bytes).
func (b *Bucket) GetFile(ctx context.Context, key, path string, limit int64) error {
	r, err := b.NewReader(ctx, key, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600) //nolint:gosec // the caller's own temporary path
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = fmt.Errorf("object %s is larger than %d bytes", key, limit)
	}
	return err
}

// ContentKey is the key of content with the given sha256: identical files
// share one object.
func ContentKey(sum []byte) string {
	h := hex.EncodeToString(sum)
	return "content/" + h[:2] + "/" + h
}

// HashFile returns the sha256 and size of a local file.
func HashFile(path string) ([]byte, int64, error) {
	f, err := os.Open(path) //nolint:gosec // the caller's own file
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return h.Sum(nil), n, err
}
