package events_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

func TestSchemaIsAStandaloneCloudEvent(t *testing.T) {
	t.Parallel()
	type child struct {
		Name string `json:"name" doc:"A name"`
	}
	type payload struct {
		ID       string     `json:"id" doc:"ID"`
		At       *time.Time `json:"at" doc:"Maybe a time"`
		Children []child    `json:"children" doc:"Nested"`
	}
	b, err := events.Schema("svc", events.Spec{Type: "svc.thing.done.v1", Description: "A thing was done.", Payload: payload{}})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	props := doc["properties"].(map[string]any)
	defs, _ := doc["$defs"].(map[string]any)
	ref := props["data"].(map[string]any)["$ref"].(string)
	for _, check := range []struct {
		name string
		ok   bool
	}{
		{"draft_2020_12", doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"},
		{"id_names_the_type", strings.HasSuffix(doc["$id"].(string), "/svc.thing.done.v1.json")},
		{"title_and_description", doc["title"] == "svc.thing.done.v1" && doc["description"] == "A thing was done."},
		{"type_is_constant", props["type"].(map[string]any)["const"] == "svc.thing.done.v1"},
		{"source_is_the_service", props["source"].(map[string]any)["const"] == "/alexandria/svc"},
		{"subject_pattern_uses_the_noun", strings.HasPrefix(props["subject"].(map[string]any)["pattern"].(string), "^thing/")},
		{"data_refers_into_defs", strings.HasPrefix(ref, "#/$defs/") && defs[strings.TrimPrefix(ref, "#/$defs/")] != nil},
		{"nested_types_are_included", defs["Child"] != nil},
		{"objects_stay_open_for_new_fields", !strings.Contains(string(b), `"additionalProperties": false`)},
		{"ends_with_newline", strings.HasSuffix(string(b), "}\n")},
	} {
		if !check.ok {
			t.Errorf("%s: failed\n%s", check.name, b)
		}
	}
}

func TestCatalogueRefusesDuplicateTypes(t *testing.T) {
	t.Parallel()
	spec := events.Spec{Type: "a.thing.done.v1", Description: "x", Payload: struct{}{}}
	c := events.Catalogue{{Service: "a", Publishes: []events.Spec{spec}}, {Service: "b", Publishes: []events.Spec{spec}}}
	if _, err := c.Files(); err == nil {
		t.Fatal("two services declaring one type should be refused")
	}
}
