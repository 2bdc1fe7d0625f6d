//go:build !lean && !no_azblob

package backends

import (
	"gocloud.dev/blob/azureblob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

func azureBlob() error { return blob.Register(azureblob.Scheme, &azureblob.URLOpener{}) }
