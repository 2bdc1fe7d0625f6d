package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/bus"
)

// Spec describes one event type a service publishes: the catalogue and the
// JSON Schema of the event are generated from it.
type Spec struct {
	// Type is the CloudEvents type, owner first, past tense, versioned:
	// catalog.media.published.v1. Its second segment is the aggregate noun,
	// which is also the subject's prefix (media/<id>).
	Type string
	// Description says when the event is published and what the payload is.
	Description string
	// Payload is a value of the payload's Go type; only its type matters.
	Payload any
}

// Consumer is one event type a service handles, and what handling it does.
type Consumer struct {
	Type   string
	Effect string
}

// Saga is a choreographed workflow, documented in the catalogue.
type Saga struct {
	Name string
	// Description is Markdown: the steps, the states a client can see, and
	// how the saga behaves under redelivery and reordering.
	Description string
}

// ServiceEvents is one service's part of the event catalogue.
type ServiceEvents struct {
	Service   string
	Publishes []Spec
	Consumes  []Consumer
	Sagas     []Saga
}

// Catalogue is every service's events. Its files are generated and checked
// in: api/events/<type>.json (one JSON Schema per event type) and
// docs/events.md.
type Catalogue []ServiceEvents

// SchemaBaseURI prefixes the $id of every event schema.
const SchemaBaseURI = "https://alexandria-platform.github.io/alexandria/api/events/"

// Paths of the generated files, relative to the repository root.
const (
	SchemaDir    = "api/events"
	CatalogueDoc = "docs/events.md"
)

// Files renders the catalogue: file path (relative to the repository root)
// to content.
func (c Catalogue) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	seen := map[string]string{}
	for _, svc := range c {
		for _, spec := range svc.Publishes {
			if owner, dup := seen[spec.Type]; dup {
				return nil, fmt.Errorf("event %s is declared by %s and %s", spec.Type, owner, svc.Service)
			}
			seen[spec.Type] = svc.Service
			b, err := Schema(svc.Service, spec)
			if err != nil {
				return nil, err
			}
			out[filepath.ToSlash(filepath.Join(SchemaDir, spec.Type+".json"))] = b
		}
	}
	out[CatalogueDoc] = c.Markdown()
	return out, nil
}

// Write writes the catalogue's files under root and removes schemas of
// event types that no longer exist.
func (c Catalogue) Write(root string) error {
	files, err := c.Files()
	if err != nil {
		return err
	}
	if err := breakingChanges(root, files); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, SchemaDir), 0o755); err != nil { //nolint:gosec // documentation is world-readable
		return err
	}
	stale, err := filepath.Glob(filepath.Join(root, SchemaDir, "*.json"))
	if err != nil {
		return err
	}
	for _, path := range stale {
		rel, _ := filepath.Rel(root, path)
		if _, keep := files[filepath.ToSlash(rel)]; !keep {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for name, b := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { //nolint:gosec // documentation is world-readable
			return err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil { //nolint:gosec // documentation is world-readable
			return err
		}
	}
	return nil
}

// breakingChanges refuses to overwrite a published schema with one that
// breaks its consumers (see Compatible).
func breakingChanges(root string, files map[string][]byte) error {
	var problems []string
	for _, name := range sortedKeys(files) {
		if !strings.HasPrefix(name, SchemaDir+"/") {
			continue
		}
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			continue // not published yet
		}
		if err := Compatible(have, files[name]); err != nil {
			problems = append(problems, name+": "+err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("refusing to rewrite published event schemas:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// Check reports the generated files under root that are missing, differ
// from what Files renders, or should not exist; nil when all are current.
func (c Catalogue) Check(root string) error {
	files, err := c.Files()
	if err != nil {
		return err
	}
	var problems []string
	for _, name := range sortedKeys(files) {
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		switch {
		case err != nil:
			problems = append(problems, name+": missing")
		case !bytes.Equal(have, files[name]):
			if strings.HasPrefix(name, SchemaDir+"/") {
				if err := Compatible(have, files[name]); err != nil {
					problems = append(problems, name+": "+err.Error())
					continue
				}
			}
			problems = append(problems, name+": out of date")
		}
	}
	extra, err := filepath.Glob(filepath.Join(root, SchemaDir, "*.json"))
	if err != nil {
		return err
	}
	for _, path := range extra {
		rel, _ := filepath.Rel(root, path)
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			problems = append(problems, filepath.ToSlash(rel)+": no such event type any more")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the event catalogue is not current (regenerate it):\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// noun is the aggregate an event type is about: catalog.media.published.v1
// is about media, and its subject is media/<id>.
func noun(typ string) string {
	parts := strings.Split(typ, ".")
	if len(parts) < 4 {
		return "aggregate"
	}
	return parts[1]
}

// Schema renders the JSON Schema (2020-12) of one event type published by
// service: the event as a structured CloudEvent whose data is the payload.
// The document stands alone: the payload's types are in its $defs.
func Schema(service string, spec Spec) ([]byte, error) {
	if spec.Payload == nil || spec.Type == "" {
		return nil, fmt.Errorf("event spec %q needs a type and a payload", spec.Type)
	}
	reg := huma.NewMapRegistry("#/$defs/", schemaNamer)
	data := reg.Schema(reflect.TypeOf(spec.Payload), true, "")
	defs := reg.Map()
	for _, s := range defs {
		openObjects(s)
	}
	openObjects(data)
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	props := map[string]any{
		"specversion": map[string]any{"const": "1.0", "description": "CloudEvents version. Metadata key " + bus.MetaSpecVersion + "."},
		"id": map[string]any{"type": "string", "format": "uuid",
			"description": "Event ID (UUIDv7), unique per event; the message UUID. Consumers deduplicate by it. Metadata key " + bus.MetaID + "."},
		"source": map[string]any{"const": "/alexandria/" + service, "description": "The producing service. Metadata key " + bus.MetaSource + "."},
		"type":   map[string]any{"const": spec.Type, "description": "Event type. Metadata key " + bus.MetaType + "."},
		"subject": map[string]any{"type": "string", "pattern": "^" + noun(spec.Type) + "/[0-9a-f-]{36}$",
			"description": "The aggregate the event is about. Metadata key " + bus.MetaSubject + "."},
		"time": map[string]any{"type": "string", "format": "date-time",
			"description": "When the change was recorded (RFC 3339, UTC). Metadata key " + bus.MetaTime + "."},
		"datacontenttype": map[string]any{"const": "application/json", "description": "Metadata key " + bus.MetaContentType + "."},
		"partitionkey": str("Ordering key: the aggregate ID. Events with one key are delivered in the order they were recorded " +
			"where the transport keeps order. Metadata key " + bus.MetaKey + "."),
		"traceparent":   str("W3C trace context of the change. Metadata key " + bus.MetaTraceParent + "."),
		"tracestate":    str("W3C trace state. Metadata key " + bus.MetaTraceState + "."),
		"correlationid": str("The request (or first event) that started the chain of events. Metadata key " + bus.MetaCorrelationID + "."),
		"causationid":   str("ID of the event whose handling recorded this one; absent for changes made by requests. Metadata key " + bus.MetaCausationID + "."),
		"data":          data,
	}
	doc := orderedDoc{
		Schema:      "https://json-schema.org/draft/2020-12/schema",
		ID:          SchemaBaseURI + spec.Type + ".json",
		Title:       spec.Type,
		Description: spec.Description,
		Type:        "object",
		Required:    []string{"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "partitionkey", "data"},
		Properties:  props,
		Defs:        defs,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", spec.Type, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// orderedDoc fixes the order of the top-level keywords.
type orderedDoc struct {
	Schema      string                  `json:"$schema"`
	ID          string                  `json:"$id"`
	Title       string                  `json:"title"`
	Description string                  `json:"description"`
	Type        string                  `json:"type"`
	Required    []string                `json:"required"`
	Properties  map[string]any          `json:"properties"`
	Defs        map[string]*huma.Schema `json:"$defs,omitempty"`
}

// openObjects lets payload objects carry properties the schema does not
// name: within a version, producers may add fields, and consumers ignore
// what they do not know.
func openObjects(s *huma.Schema) {
	if s == nil {
		return
	}
	if s.Type == huma.TypeObject {
		s.AdditionalProperties = nil
	}
	for _, p := range s.Properties {
		openObjects(p)
	}
	openObjects(s.Items)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Markdown renders docs/events.md: how events travel, then every service's
// events, who consumes them, and the sagas.
func (c Catalogue) Markdown() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	consumers := map[string][]string{}
	for _, svc := range c {
		for _, h := range svc.Consumes {
			consumers[h.Type] = append(consumers[h.Type], svc.Service)
		}
	}
	w("# Event catalogue\n\n")
	w("<!-- Generated from the Events declarations of each service by internal/platform/events (spec.go); do not edit.\n")
	w("     Regenerate: go test ./internal/platform/events -run TestCatalogue -update -->\n\n")
	w("Every state change another service may care about is published as an event, recorded **in the same database\n")
	w("transaction** as the change (a transactional outbox). This page lists every event type, its payload, who consumes\n")
	w("it, and the sagas built on them. Each event type has a JSON Schema (2020-12) in [`api/events/`](../api/events/).\n\n")
	b.WriteString(mechanics)
	w("\n## Topics\n\n| producing service | topic | event types |\n|---|---|---|\n")
	for _, svc := range c {
		if len(svc.Publishes) > 0 {
			w("| %s | `%s` | %d |\n", svc.Service, bus.Topic(svc.Service), len(svc.Publishes))
		}
	}
	w("\nA consumer subscribes to the producer's topic with its own service name as consumer group: replicas of one\n")
	w("service share the work, and different services each receive every event. Types a consumer has no handler for\n")
	w("are acknowledged and skipped.\n")
	for _, svc := range c {
		w("\n## %s\n", svc.Service)
		if len(svc.Publishes) > 0 {
			w("\nPublished on `%s` with source `/alexandria/%s`; the key is the aggregate's ID.\n\n", bus.Topic(svc.Service), svc.Service)
			w("| type | subject | payload | consumed by | description |\n|---|---|---|---|---|\n")
			var payloads []any
			seenPayload := map[string]bool{}
			for _, spec := range svc.Publishes {
				by := "—"
				if cs := consumers[spec.Type]; len(cs) > 0 {
					by = strings.Join(cs, ", ")
				}
				name := payloadName(spec.Payload)
				if !seenPayload[name] {
					seenPayload[name] = true
					payloads = append(payloads, spec.Payload)
				}
				w("| [`%s`](../%s/%s.json) | `%s/{id}` | [%s](#%s-payload-%s) | %s | %s |\n", spec.Type, SchemaDir, spec.Type,
					noun(spec.Type), name, svc.Service, strings.ToLower(name), by, cell(spec.Description))
			}
			for _, p := range payloads {
				name := payloadName(p)
				w("\n### %s payload: %s\n\n%s", svc.Service, name, payloadTable(p))
			}
		}
		if len(svc.Consumes) > 0 {
			w("\n### Consumed by %s (consumer group `%s`)\n\n| type | effect |\n|---|---|\n", svc.Service, svc.Service)
			for _, h := range svc.Consumes {
				w("| `%s` | %s |\n", h.Type, cell(h.Effect))
			}
		}
		for _, s := range svc.Sagas {
			w("\n### Saga: %s\n\n%s\n", s.Name, strings.TrimSpace(s.Description))
		}
	}
	return []byte(b.String())
}

// schemaNamer is huma's namer without the JSON suffix API view types often
// carry (userJSON is the User payload).
func schemaNamer(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	if trimmed := strings.TrimSuffix(name, "JSON"); trimmed != "" {
		return trimmed
	}
	return name
}

// payloadName names a payload type in the catalogue.
func payloadName(payload any) string { return schemaNamer(reflect.TypeOf(payload), "") }

// payloadTable lists the top-level fields of a payload type.
func payloadTable(payload any) string {
	reg := huma.NewMapRegistry("#/$defs/", schemaNamer)
	s := reg.Schema(reflect.TypeOf(payload), false, "")
	if s == nil || len(s.Properties) == 0 {
		return "(no fields)\n"
	}
	var b strings.Builder
	b.WriteString("| field | type | description |\n|---|---|---|\n")
	names := sortedKeys(s.Properties)
	// Keep the struct's field order where the schema knows it.
	order := map[string]int{}
	t := reflect.TypeOf(payload)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			order[name] = i + 1
		}
	}
	slices.SortStableFunc(names, func(a, b string) int { return order[a] - order[b] })
	for _, name := range names {
		p := s.Properties[name]
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, typeName(p, reg), cell(p.Description))
	}
	return b.String()
}

func typeName(s *huma.Schema, reg huma.Registry) string {
	switch {
	case s.Ref != "":
		return strings.TrimPrefix(s.Ref, "#/$defs/")
	case s.Type == huma.TypeArray && s.Items != nil:
		return typeName(s.Items, reg) + "[]"
	case s.Format != "":
		return s.Type + " (" + s.Format + ")"
	case len(s.Enum) > 0:
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return s.Type + ": " + strings.Join(vals, ", ")
	}
	if s.Nullable {
		return s.Type + " or null"
	}
	return s.Type
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(strings.TrimSpace(s))
}

// mechanics is the part of the catalogue that is the same for every event.
const mechanics = "## Envelope\n\n" +
	"Events are [CloudEvents 1.0](https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). On every\n" +
	"transport the attributes travel in the message's metadata (headers, attributes, properties — whatever the broker\n" +
	"calls them) and the message body is the JSON payload (`data`). The JSON Schemas describe an event in the\n" +
	"CloudEvents structured form, so each attribute below appears there under its CloudEvents name.\n\n" +
	"| attribute | metadata key | meaning |\n|---|---|---|\n" +
	"| `id` | `" + bus.MetaID + "` | Event ID (UUIDv7), also the message UUID. Unique per event; consumers deduplicate by it. |\n" +
	"| `source` | `" + bus.MetaSource + "` | `/alexandria/<service>`, the producer. |\n" +
	"| `type` | `" + bus.MetaType + "` | `<service>.<noun>[.<noun>].<verb in past tense>.v<version>`, e.g. `catalog.media.published.v1`. |\n" +
	"| `subject` | `" + bus.MetaSubject + "` | The aggregate: `<noun>/<id>`, e.g. `media/0190…`. Member events are about their author. |\n" +
	"| `time` | `" + bus.MetaTime + "` | When the change was recorded, RFC 3339 UTC. |\n" +
	"| `specversion` | `" + bus.MetaSpecVersion + "` | `1.0`. |\n" +
	"| `datacontenttype` | `" + bus.MetaContentType + "` | `application/json`. |\n" +
	"| `partitionkey` | `" + bus.MetaKey + "` | Ordering key: the aggregate's ID. |\n" +
	"| `traceparent`, `tracestate` | `" + bus.MetaTraceParent + "`, `" + bus.MetaTraceState + "` | W3C trace context of the change; the consumer's span links to the producer's. |\n" +
	"| `correlationid` | `" + bus.MetaCorrelationID + "` | The HTTP request ID that started the chain (or the first event's ID), kept by every event recorded while handling it. |\n" +
	"| `causationid` | `" + bus.MetaCausationID + "` | The ID of the event whose handling recorded this one; absent when a request made the change. |\n\n" +
	"Payloads carry the whole entity as the HTTP API shows it (never secrets such as password hashes or tokens), after\n" +
	"the change — or, for `…deleted` events, as it was just before. Within a version, fields may be added: consumers\n" +
	"must ignore fields they do not know. Removing or changing a field makes a new version (`.v2`), published next to\n" +
	"the old one for a while.\n\n" +
	"## Delivery\n\n" +
	"- **Outbox.** A change and its events commit together in the producer's database (`outbox` table), or neither\n" +
	"  does. A relay publishes outbox rows in order and deletes them once the broker has accepted them; with several\n" +
	"  replicas only one relays at a time (a PostgreSQL advisory lock). While the broker is down, writes still succeed\n" +
	"  and the relay retries with backoff.\n" +
	"- **Ordering.** Events with the same key (the aggregate's ID) are recorded in commit order and delivered in that\n" +
	"  order where the transport keeps order per key; across keys there is no order. Consumers still check current\n" +
	"  state rather than trust the order: a replayed dead letter may arrive late.\n" +
	"- **At least once.** A crash between publishing and deleting an outbox row publishes it again, and a consumer that\n" +
	"  fails before acknowledging gets the event again. Each consumer runs its handler in its own transaction together\n" +
	"  with an insert into its `inbox` table keyed by (consumer group, event ID), and acknowledges only after that\n" +
	"  commits: a redelivered event is recognised and skipped, so every event has exactly one effect. Handled IDs are\n" +
	"  kept for `bus.inbox_ttl` (7 days by default).\n" +
	"- **Retries and dead letters.** A failing handler is retried with exponential backoff (`bus.retry_initial`,\n" +
	"  doubling up to `bus.retry_max`); after `bus.max_attempts` attempts the event is parked in the consumer's\n" +
	"  `dead_letters` table and acknowledged, so one poisonous event does not block the others.\n\n" +
	"### Dead-letter operations\n\n" +
	"Administrators (admin scope) inspect and replay a service's dead letters over HTTP, or with\n" +
	"`alexandria events dlq list | replay | purge`:\n\n" +
	"| request | effect |\n|---|---|\n" +
	"| `GET /v1/admin/events/{service}/dead-letters` | Lists dead letters, oldest first (`page_size`, `page_token`). |\n" +
	"| `POST /v1/admin/events/{service}/dead-letters/{id}/replay` | Publishes the event again (same event ID, addressed to the consumer group that gave up; other groups ignore it) and removes the dead letter. |\n" +
	"| `DELETE /v1/admin/events/{service}/dead-letters` | Deletes every dead letter of the service. |\n\n" +
	"Metrics: `alexandria_outbox_backlog`, `alexandria_outbox_oldest_age_seconds`, `alexandria_events_published_total`,\n" +
	"`alexandria_event_publish_seconds`, `alexandria_event_consumer_lag_seconds`, `alexandria_event_handle_seconds`,\n" +
	"`alexandria_events_handled_total` (by result) and `alexandria_dead_letters`.\n"
