//go:build !lean && !no_pgbus

package backends

import (
	"github.com/alexandria-platform/alexandria/internal/platform/bus/postgresbus"
)

func postgresBus() error { return postgresbus.Register() }
