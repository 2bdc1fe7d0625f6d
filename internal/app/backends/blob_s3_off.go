//go:build lean || no_s3

package backends

func s3() error { return nil }
