package backends_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// TestLeftOutSchemesNameTheirTag: a scheme this build has opens; one it
// was built without fails validation naming the option and the tag.
func TestLeftOutSchemesNameTheirTag(t *testing.T) {
	if err := backends.Register(); err != nil {
		t.Fatal(err)
	}
	for _, b := range bus.Backends {
		for _, scheme := range b.Schemes {
			t.Run("bus_"+scheme, func(t *testing.T) {
				err := bus.ValidateURL(scheme + "://host:1/x")
				if bus.Registered(b.Name) {
					if err != nil {
						t.Fatalf("compiled in, but: %v", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), "bus.url") || !strings.Contains(err.Error(), b.Tag) {
					t.Fatalf("left out: want an error naming bus.url and -tags %s, got %v", b.Tag, err)
				}
			})
		}
	}
	for _, s := range blob.Stores {
		t.Run("blob_"+s.Scheme, func(t *testing.T) {
			err := blob.Config{URL: s.Scheme + "://bucket"}.Validate()
			if blob.Registered(s.Scheme) {
				if err != nil {
					t.Fatalf("compiled in, but: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "blob.url") || !strings.Contains(err.Error(), s.Tag) {
				t.Fatalf("left out: want an error naming blob.url and -tags %s, got %v", s.Tag, err)
			}
		})
	}
}

func TestUnknownSchemesNameTheOptionAndTheChoices(t *testing.T) {
	err := bus.ValidateURL("carrier-pigeon://loft")
	if err == nil || !strings.Contains(err.Error(), "bus.url") || !strings.Contains(err.Error(), "nats") {
		t.Errorf("bus: got %v", err)
	}
	err = blob.Config{URL: "ftp://host/dir"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "blob.url") || !strings.Contains(err.Error(), "s3") {
		t.Errorf("blob: got %v", err)
	}
	if err := (blob.Config{URL: "file:///tmp/blobs"}).Validate(); err != nil {
		t.Errorf("file:// is always there: %v", err)
	}
}

// TestEverySchemeIsDocumentedAndTagged keeps the lists in step: each
// scheme of bus.Backends and blob.Stores is in its option's doc string
// (and so in docs/configuration-reference.md) and, for the bus, in
// docs/transports.md; each build tag has its pair of files here.
func TestEverySchemeIsDocumentedAndTagged(t *testing.T) {
	busDoc := docTag(t, events.Config{}, "URL")
	blobDoc := docTag(t, blob.Config{}, "URL")
	transports, err := os.ReadFile("../../../docs/transports.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bus.Backends {
		for _, scheme := range b.Schemes[:1] {
			if !strings.Contains(busDoc, scheme+"://") {
				t.Errorf("bus.url's doc does not name %s://", scheme)
			}
			if !strings.Contains(string(transports), "`"+scheme+"://") {
				t.Errorf("docs/transports.md does not name %s://", scheme)
			}
		}
		checkPair(t, b.Tag, b.Lean)
	}
	for _, s := range blob.Stores {
		if !strings.Contains(blobDoc, s.Scheme+"://") {
			t.Errorf("blob.url's doc does not name %s://", s.Scheme)
		}
		checkPair(t, s.Tag, s.Lean)
	}
}

func docTag(t *testing.T, v any, field string) string {
	t.Helper()
	f, ok := reflect.TypeOf(v).FieldByName(field)
	if !ok {
		t.Fatalf("%T has no field %s", v, field)
	}
	return f.Tag.Get("doc")
}

// checkPair finds the file that registers a backend and the one that
// stands in for it when tag (or lean) leaves it out.
func checkPair(t *testing.T, tag string, lean bool) {
	t.Helper()
	on, off := "//go:build !"+tag, "//go:build "+tag
	if lean {
		on, off = "//go:build !lean && !"+tag, "//go:build lean || "+tag
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, e := range entries {
		b, err := os.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		found[first] = true
	}
	if !found[on] || !found[off] {
		t.Errorf("want a file starting %q and one starting %q", on, off)
	}
}
