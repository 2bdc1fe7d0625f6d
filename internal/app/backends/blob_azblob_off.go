//go:build lean || no_azblob

package backends

func azureBlob() error { return nil }
