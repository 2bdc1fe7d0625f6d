package events

import (
	"strings"
	"testing"
)

func TestCompatible(t *testing.T) {
	t.Parallel()
	const published = `{
	  "type": "object", "required": ["id", "data"],
	  "properties": {
	    "id": {"type": "string", "format": "uuid"},
	    "type": {"const": "catalog.media.published.v1"},
	    "data": {"$ref": "#/$defs/Media"}
	  },
	  "$defs": {"Media": {"type": "object", "required": ["title"], "properties": {
	    "title": {"type": "string", "description": "old words"},
	    "status": {"type": "string", "enum": ["draft", "published"]},
	    "tags": {"type": "array", "items": {"type": "string"}}
	  }}}
	}`
	cases := []struct {
		name      string
		generated string
		breaks    string // substring of the error; "" = compatible
	}{
		{"identical_schema_is_compatible", published, ""},
		{"new_optional_field_and_description_are_compatible", strings.NewReplacer(
			`"description": "old words"`, `"description": "new words"`,
			`"tags":`, `"language": {"type": "string"}, "tags":`).Replace(published), ""},
		{"new_enum_value_is_compatible", strings.Replace(published, `"published"]`, `"published", "failed"]`, 1), ""},
		{"renamed_definition_is_followed", strings.NewReplacer(`#/$defs/Media`, `#/$defs/MediaV1`, `"Media":`, `"MediaV1":`).Replace(published), ""},
		{"removed_field_breaks", strings.Replace(published, `"tags": {"type": "array", "items": {"type": "string"}}`, `"other": {"type": "string"}`, 1), "data.tags: removed"},
		{"changed_type_breaks", strings.Replace(published, `"title": {"type": "string"`, `"title": {"type": "integer"`, 1), "data.title: type changed"},
		{"changed_item_type_breaks", strings.Replace(published, `"items": {"type": "string"}`, `"items": {"type": "number"}`, 1), "data.tags[]: type changed"},
		{"dropped_requirement_breaks", strings.Replace(published, `"required": ["title"]`, `"required": []`, 1), "data.title: no longer required"},
		{"removed_enum_value_breaks", strings.Replace(published, `["draft", "published"]`, `["draft"]`, 1), `enum value "published" removed`},
		{"changed_const_breaks", strings.Replace(published, `published.v1"`, `published.v2"`, 1), "type: const changed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Compatible([]byte(published), []byte(tc.generated))
			switch {
			case tc.breaks == "" && err != nil:
				t.Fatalf("Compatible = %v, want nil", err)
			case tc.breaks != "" && (err == nil || !strings.Contains(err.Error(), tc.breaks)):
				t.Fatalf("Compatible = %v, want an error containing %q", err, tc.breaks)
			}
		})
	}
}

func TestWriteRefusesABreakingChangeToAPublishedSchema(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	type v1 struct {
		Title string `json:"title"`
		Pages int    `json:"pages"`
	}
	type v1Broken struct {
		Title string `json:"title"`
	}
	spec := func(payload any) Catalogue {
		return Catalogue{{Service: "catalog", Publishes: []Spec{{Type: "catalog.book.created.v1", Payload: payload, Description: "A book was created."}}}}
	}
	if err := spec(v1{}).Write(root); err != nil {
		t.Fatal(err)
	}
	err := spec(v1Broken{}).Write(root)
	if err == nil || !strings.Contains(err.Error(), "pages: removed") {
		t.Fatalf("Write of a breaking change = %v, want a refusal naming data.pages", err)
	}
	if err := spec(v1Broken{}).Check(root); err == nil || !strings.Contains(err.Error(), "breaking change") {
		t.Fatalf("Check = %v, want it to report the breaking change", err)
	}
	if err := spec(v1{}).Check(root); err != nil {
		t.Fatalf("Check of the published schema = %v, want nil", err)
	}
}
