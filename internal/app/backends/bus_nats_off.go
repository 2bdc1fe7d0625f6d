//go:build lean || no_nats

package backends

func nats() error { return nil }
