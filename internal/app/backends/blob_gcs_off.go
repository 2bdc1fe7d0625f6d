//go:build lean || no_gcs

package backends

func gcs() error { return nil }
