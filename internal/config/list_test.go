package config

import (
	"bytes"
	"strings"
	"testing"
)

// A list of sections (identity.oidc.providers) comes from a YAML list, and
// the environment and flags address its elements by number.
func TestListOfSectionsFromFileEnvAndFlags(t *testing.T) {
	t.Parallel()
	file := []byte(`identity:
  oidc:
    providers:
      - id: keycloak
        name: Keycloak
        issuer: https://kc.example/realms/alexandria
        client_id: alexandria
        scopes: [email, profile]
`)
	c, err := Load(Sources{File: file, FileName: "test.yaml", Env: []string{
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_SECRET=from-env",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_1_ID=google",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_1_ISSUER=https://accounts.google.example",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_1_CLIENT_ID=g-client",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_1_ALLOWED_DOMAINS=example.org, example.net",
	}, Set: []string{"identity.oidc.providers.1.name=Google"}})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Identity.OIDC.Providers
	if len(p) != 2 {
		t.Fatalf("providers = %+v", p)
	}
	if p[0].ID != "keycloak" || p[0].ClientSecret != "from-env" || len(p[0].Scopes) != 2 || p[0].Issuer != "https://kc.example/realms/alexandria" {
		t.Errorf("file element with env override = %+v", p[0])
	}
	if p[1].ID != "google" || p[1].Name != "Google" || p[1].ClientID != "g-client" || len(p[1].AllowedDomains) != 2 {
		t.Errorf("env element = %+v", p[1])
	}

	// The effective configuration masks each element's secret and leaves
	// the loaded one alone.
	var out bytes.Buffer
	if err := c.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "from-env") || !strings.Contains(out.String(), "client_secret: '********'") {
		t.Errorf("yaml = %s", out.String())
	}
	if c.Identity.OIDC.Providers[0].ClientSecret != "from-env" {
		t.Error("WriteYAML changed the configuration it printed")
	}
}

func TestListIndexesAreChecked(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_99_ISSUER=https://x.example": "index 99 is too large",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_x_ISSUER=https://x.example":  "unknown option",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_COLOUR=red":                "unknown option",
		"ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ISSUER=https://x.example":  "identity.oidc.providers.0.id",
	} {
		_, err := Load(Sources{Env: []string{env}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", env, err, want)
		}
	}
}

func TestReferenceShowsListElementsAsN(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| `identity.oidc.providers.N.issuer` | `ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_N_ISSUER` |") {
		t.Errorf("reference lacks the list rows:\n%s", b.String())
	}
}
