//go:build !lean && !no_gcs

package backends

import (
	"gocloud.dev/blob/gcsblob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

func gcs() error { return blob.Register(gcsblob.Scheme, &gcsblob.URLOpener{}) }
