//go:build lean || no_redisstreams

package backends

func redisStreams() error { return nil }
