//go:build !lean && !no_s3

package backends

import (
	"gocloud.dev/blob/s3blob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

func s3() error { return blob.Register(s3blob.Scheme, &s3blob.URLOpener{}) }
