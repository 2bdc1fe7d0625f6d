//go:build !lean && !no_aws

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/awsbus"
)

func awsSQS() error { return awsbus.Register() }
