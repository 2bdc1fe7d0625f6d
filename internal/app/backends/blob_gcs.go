//go:build !lean && !no_gcs

package backends

import (
	"context"
	"net/url"

	gblob "gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// gcsOpener opens gs:// URLs with gocloud's default GCS opener, which
// finds the application default credentials (or, with
// STORAGE_EMULATOR_HOST set, talks to an emulator without credentials). A
// zero gcsblob.URLOpener has no HTTP client and cannot open any bucket.
type gcsOpener struct{}

func (gcsOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*gblob.Bucket, error) {
	return gblob.DefaultURLMux().OpenBucketURL(ctx, u)
}

func gcs() error { return blob.Register(gcsblob.Scheme, gcsOpener{}) }
