//go:build lean || no_pgbus

package backends

func postgresBus() error { return nil }
