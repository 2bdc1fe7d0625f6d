package analytics

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

const python = "/usr/bin/python3" // Debian's, with python3-pandas and python3-sklearn

// The contract between the Python job and the target: the job reads the
// completions the target recorded from its store and writes related items
// the target serves, on SQLite and PostgreSQL.
func TestPythonRelatedJobOnTheServiceStore(t *testing.T) {
	if err := exec.Command(python, "-c", "import pandas, sklearn, psycopg2").Run(); err != nil {
		if os.Getenv("TEST_REQUIRE_SERVERS") == "1" {
			t.Fatalf("python3-pandas, python3-sklearn, python3-psycopg2 required: %v", err)
		}
		t.Skipf("Debian's pandas, scikit-learn or psycopg2 missing: %v", err)
	}
	now := time.Now()
	forEachServer(t, now, nil, func(t *testing.T, c *api) {
		a, b, x := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for _, id := range []string{a, b, x} {
			c.media(eventMediaPublished, item{ID: id, Kind: "book", Status: "published"}, 2)
		}
		u1, u2, u3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for _, f := range [][2]string{{u1, a}, {u1, b}, {u2, a}, {u2, b}, {u3, a}, {u3, x}} {
			c.publish("engagement", eventProgressUpdated, "progress/"+f[1], f[1], now, map[string]any{"user_id": f[0], "media_id": f[1], "state": "finished"})
		}
		c.waitHandled(9)

		args := []string{"../../analytics/python/related_items.py"}
		if c.svc.db.Dialect == db.Postgres {
			args = append(args, "--db", moduletest.PostgresURL(), "--schema", c.svc.db.Schema)
		} else {
			args = append(args, "--db", "sqlite:///"+c.svc.db.Location)
		}
		if out, err := exec.Command(python, args...).CombinedOutput(); err != nil {
			t.Fatalf("related_items.py: %v\n%s", err, out)
		}
		// a and b share two finishers; a and x only one (below min_common).
		got := c.expect(200, "/v1/media/"+a+"/related", "").items()
		if len(got) != 1 || got[0]["media_id"] != b || got[0]["score"].(float64) <= 0 {
			t.Fatalf("related to a: %v", got)
		}
		if got := c.expect(200, "/v1/media/"+x+"/related", "").items(); len(got) != 0 {
			t.Fatalf("related to x: %v", got)
		}
	})
}
