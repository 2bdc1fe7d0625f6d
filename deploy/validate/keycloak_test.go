package validate

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// deploy/keycloak: the realm export parses and has the client and roles
// Alexandria's settings name; the Compose overlay loads on top of the stack
// and gives identity a provider.
func TestKeycloakRealmAndCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(path("deploy", "keycloak", "realm-alexandria.json"))
	if err != nil {
		t.Fatal(err)
	}
	var realm struct {
		Realm   string `json:"realm"`
		Clients []struct {
			ClientID     string            `json:"clientId"`
			PublicClient bool              `json:"publicClient"`
			RedirectURIs []string          `json:"redirectUris"`
			Attributes   map[string]string `json:"attributes"`
			Mappers      []struct {
				Config map[string]string `json:"config"`
			} `json:"protocolMappers"`
		} `json:"clients"`
		Roles struct {
			Realm []struct {
				Name string `json:"name"`
			} `json:"realm"`
		} `json:"roles"`
	}
	if err := json.Unmarshal(raw, &realm); err != nil {
		t.Fatalf("realm export: %v", err)
	}
	if realm.Realm != "alexandria" || len(realm.Clients) != 1 || realm.Clients[0].ClientID != "alexandria" || realm.Clients[0].PublicClient ||
		realm.Clients[0].Attributes["pkce.code.challenge.method"] != "S256" {
		t.Fatalf("realm %+v", realm)
	}
	if len(realm.Clients[0].Mappers) == 0 || realm.Clients[0].Mappers[0].Config["claim.name"] != "roles" {
		t.Errorf("no roles claim mapper: %+v", realm.Clients[0].Mappers)
	}
	roles := map[string]bool{}
	for _, r := range realm.Roles.Realm {
		roles[r.Name] = true
	}
	if !roles["author"] || !roles["moderator"] || !roles["admin"] {
		t.Errorf("realm roles %v", roles)
	}

	opts, err := cli.NewProjectOptions([]string{path("deploy", "compose", "compose.yaml"), path("deploy", "keycloak", "compose.keycloak.yaml")},
		cli.WithWorkingDirectory(path("deploy", "compose")), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose with the Keycloak overlay: %v", err)
	}
	if _, err := p.GetService("keycloak"); err != nil {
		t.Fatal(err)
	}
	id, err := p.GetService("identity")
	if err != nil {
		t.Fatal(err)
	}
	if v := id.Environment["ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ISSUER"]; v == nil || *v != "http://keycloak:8081/realms/alexandria" {
		t.Errorf("identity issuer = %v", v)
	}
	if v := id.Environment["ALEXANDRIA_DATABASE_URL"]; v == nil {
		t.Error("the overlay lost the stack's environment")
	}
}

// The Helm values render into the identity Deployment, the client secret
// from a Secret.
func TestKeycloakHelmValues(t *testing.T) {
	t.Parallel()
	r := render(t, append(values("microservices.yaml"), "-f", path("deploy", "keycloak", "values-keycloak.yaml"))...)
	env := envOf(r.deployment(t, "rel-alexandria-identity"))
	if env["ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ID"].Value != "keycloak" {
		t.Errorf("identity env %v", env)
	}
	if s := env["ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_SECRET"].ValueFrom; s == nil || s.SecretKeyRef == nil || s.SecretKeyRef.Name != "alexandria-keycloak" {
		t.Errorf("client secret from %+v", s)
	}
}
