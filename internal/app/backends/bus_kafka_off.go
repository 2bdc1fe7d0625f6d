//go:build lean || no_kafka

package backends

func kafka() error { return nil }
