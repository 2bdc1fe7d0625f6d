//go:build lean || no_gcppubsub

package backends

func gcpPubSub() error { return nil }
