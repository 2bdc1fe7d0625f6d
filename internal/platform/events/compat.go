package events

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Compatible tells whether a newly generated JSON Schema for an event
// version keeps the promise of the schema published before. A published
// version is a promise to every consumer written against it: a consumer
// that reads the old shape must still read every event of the new one.
//
// Kept: every property (recursively, through $ref), its type, const, format
// and pattern; every value of an enum; every required property. Allowed:
// new optional or required properties, new enum values, new or changed
// descriptions. Anything else is a breaking change, and the way to make it
// is a new version of the event type (…v2), published next to the old one
// while consumers move.
func Compatible(published, generated []byte) error {
	var oldDoc, newDoc map[string]any
	if err := json.Unmarshal(published, &oldDoc); err != nil {
		return fmt.Errorf("published schema: %w", err)
	}
	if err := json.Unmarshal(generated, &newDoc); err != nil {
		return fmt.Errorf("generated schema: %w", err)
	}
	c := compat{oldDoc: oldDoc, newDoc: newDoc, seen: map[[2]string]bool{}}
	c.node("", oldDoc, newDoc)
	if len(c.problems) == 0 {
		return nil
	}
	sort.Strings(c.problems)
	return fmt.Errorf("breaking change to a published version (publish a new version instead):\n    %s",
		strings.Join(c.problems, "\n    "))
}

type compat struct {
	oldDoc, newDoc map[string]any
	seen           map[[2]string]bool // ($ref old, $ref new) pairs already compared
	problems       []string
}

func (c *compat) fail(path, format string, args ...any) {
	if path == "" {
		path = "(root)"
	}
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

// resolve follows a local "#/$defs/Name" reference; other nodes come back
// as they are.
func resolve(doc map[string]any, node map[string]any) (map[string]any, string) {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node, ""
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return node, ""
	}
	defs, _ := doc["$defs"].(map[string]any)
	target, _ := defs[name].(map[string]any)
	if target == nil {
		return map[string]any{}, ref
	}
	return target, ref
}

func (c *compat) node(path string, oldRaw, newRaw any) {
	oldNode, _ := oldRaw.(map[string]any)
	newNode, _ := newRaw.(map[string]any)
	if oldNode == nil {
		return // true/absent schema: nothing was promised
	}
	if newNode == nil {
		c.fail(path, "removed")
		return
	}
	oldNode, oldRef := resolve(c.oldDoc, oldNode)
	newNode, newRef := resolve(c.newDoc, newNode)
	if oldRef != "" || newRef != "" {
		key := [2]string{oldRef, newRef}
		if c.seen[key] {
			return
		}
		c.seen[key] = true
	}
	for _, kw := range []string{"type", "const", "format", "pattern"} {
		o, had := oldNode[kw]
		if !had {
			continue
		}
		if n := newNode[kw]; !equalJSON(o, n) {
			c.fail(path, "%s changed from %s to %s", kw, show(o), show(n))
		}
	}
	if oldEnum, ok := oldNode["enum"].([]any); ok {
		newEnum, _ := newNode["enum"].([]any)
		for _, v := range oldEnum {
			if _, restricted := newNode["enum"]; restricted && !slices.ContainsFunc(newEnum, func(n any) bool { return equalJSON(v, n) }) {
				c.fail(path, "enum value %s removed", show(v))
			}
		}
	}
	newRequired := stringSet(newNode["required"])
	for name := range stringSet(oldNode["required"]) {
		if !newRequired[name] {
			c.fail(join(path, name), "no longer required")
		}
	}
	oldProps, _ := oldNode["properties"].(map[string]any)
	newProps, _ := newNode["properties"].(map[string]any)
	for _, name := range sortedKeys(oldProps) {
		c.node(join(path, name), oldProps[name], newProps[name])
	}
	if items, ok := oldNode["items"]; ok {
		c.node(path+"[]", items, newNode["items"])
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func stringSet(v any) map[string]bool {
	out := map[string]bool{}
	list, _ := v.([]any)
	for _, s := range list {
		if name, ok := s.(string); ok {
			out[name] = true
		}
	}
	return out
}

func equalJSON(a, b any) bool {
	ab, errA := json.Marshal(a)
	bb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ab) == string(bb)
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
