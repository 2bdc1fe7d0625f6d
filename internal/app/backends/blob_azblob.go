//go:build !lean && !no_azblob

package backends

import (
	"context"
	"net/url"

	gblob "gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// azureOpener opens azblob:// URLs with gocloud's default Azure opener,
// which reads AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY (or a SAS token,
// a connection string, or the default Azure credential) from the
// environment. A zero azureblob.URLOpener has no client maker and cannot
// open any container.
type azureOpener struct{}

func (azureOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*gblob.Bucket, error) {
	return gblob.DefaultURLMux().OpenBucketURL(ctx, u)
}

func azureBlob() error { return blob.Register(azureblob.Scheme, azureOpener{}) }
