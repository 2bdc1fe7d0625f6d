package auth_test

import (
	"encoding/json"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

func jsonOf(set jwk.Set) ([]byte, error) { return json.Marshal(set) }
