package app

import (
	"strings"
	"testing"
)

// TestEventCatalogueIsUpToDate fails when api/events or docs/events.md
// differ from what the services declare; `make docs` regenerates them.
func TestEventCatalogueIsUpToDate(t *testing.T) {
	t.Parallel()
	if err := EventCatalogue().Check("../.."); err != nil {
		t.Fatalf("%v\nrun: make docs", err)
	}
}

func TestCatalogueNamesConsumers(t *testing.T) {
	t.Parallel()
	md := string(EventCatalogue().Markdown())
	for _, want := range []string{
		"`alexandria_identity`", "`alexandria_catalog`", "/v1/admin/events/{service}/dead-letters",
		"| [`identity.user.deleted.v1`](../api/events/identity.user.deleted.v1.json) | `user/{id}` | [UserV1](#identity-payload-userv1) | catalog, feeds, engagement, analytics, notify |",
		"Saga: user deletion", "partition_key", "correlation_id",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("catalogue lacks %q", want)
		}
	}
}
