//go:build lean || no_aws

package backends

func awsSQS() error { return nil }
