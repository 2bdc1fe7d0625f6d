package validate

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"sigs.k8s.io/yaml"
)

func dashboardFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(path("deploy", "grafana", "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no dashboards")
	}
	return out
}

var (
	metricsOnce sync.Once
	metricSet   map[string]bool
)

// exportedMetrics is every series name an Alexandria process exposes:
// alexandria_* from the Go sources under internal/ (histograms expanded),
// and go_*, go_sql_*, process_* from the same client_golang collectors the
// binary registers, gathered here for real.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	metricsOnce.Do(func() {
		set := map[string]bool{"up": true, "scrape_duration_seconds": true}
		re := regexp.MustCompile(`Name:\s*"(alexandria_[a-z0-9_]+)"`)
		err := filepath.WalkDir(path("internal"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
					set[m[1]+suffix] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("validate-null", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		reg := prometheus.NewRegistry()
		reg.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			collectors.NewDBStatsCollector(db, "catalog"),
		)
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			set[f.GetName()] = true
			if f.GetType().String() == "SUMMARY" || f.GetType().String() == "HISTOGRAM" {
				set[f.GetName()+"_sum"], set[f.GetName()+"_count"], set[f.GetName()+"_bucket"] = true, true, true
			}
		}
		metricSet = set
	})
	if !metricSet["alexandria_http_requests_total"] || !metricSet["go_sql_in_use_connections"] {
		t.Fatalf("metric discovery failed: %d names", len(metricSet))
	}
	return metricSet
}

// A driver that never connects: DBStats needs only a *sql.DB.
type nullDriver struct{}

func (nullDriver) Open(string) (driver.Conn, error) { return nil, errors.New("no database") }

func init() { sql.Register("validate-null", nullDriver{}) }

var (
	promqlStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promqlMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promqlRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promqlGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlVars     = regexp.MustCompile(`\$\{?[A-Za-z_][A-Za-z0-9_]*\}?`)
	promqlIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promqlKeywords = map[string]bool{
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
		"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true,
		"sum": true, "min": true, "max": true, "avg": true, "count": true, "topk": true, "bottomk": true,
		"quantile": true, "stddev": true, "stdvar": true, "count_values": true, "group": true,
	}
)

// metricNames returns the metric names a PromQL expression selects: what is
// left once strings, label matchers, ranges, groupings, variables, function
// calls and keywords are removed.
func metricNames(expr string) []string {
	s := promqlStrings.ReplaceAllString(expr, " ")
	s = promqlMatchers.ReplaceAllString(s, " ")
	s = promqlRanges.ReplaceAllString(s, " ")
	s = promqlGrouping.ReplaceAllString(s, " ")
	s = promqlVars.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range promqlIdent.FindAllStringIndex(s, -1) {
		word := s[loc[0]:loc[1]]
		rest := strings.TrimLeft(s[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || promqlKeywords[strings.ToLower(word)] {
			continue // a function or an aggregation
		}
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // exponent or unit of a number, e.g. 1e18
		}
		out = append(out, word)
	}
	return out
}

func TestMetricNamesParser(t *testing.T) {
	t.Parallel()
	got := metricNames(`histogram_quantile(0.99, sum by (target, le) (rate(alexandria_http_request_duration_seconds_bucket{job="alexandria",target=~"$target"}[$__rate_interval]))) > 1e18 and on(x) up{a="b"} / go_gc_gomemlimit_bytes`)
	want := []string{"alexandria_http_request_duration_seconds_bucket", "up", "go_gc_gomemlimit_bytes"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestDashboards: every dashboard parses, has a unique uid, uses the
// Prometheus datasource variable, and queries only metrics the code exports.
func TestDashboards(t *testing.T) {
	t.Parallel()
	known := exportedMetrics(t)
	uids := map[string]string{}
	for _, name := range dashboardFiles(t) {
		var d struct {
			UID        string `json:"uid"`
			Title      string `json:"title"`
			Templating struct {
				List []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"list"`
			} `json:"templating"`
			Panels []panel `json:"panels"`
		}
		if err := json.Unmarshal(readFile(t, "deploy", "grafana", "dashboards", name), &d); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s: uid %q title %q", name, d.UID, d.Title)
		}
		if prev, dup := uids[d.UID]; dup {
			t.Errorf("%s and %s share uid %s", name, prev, d.UID)
		}
		uids[d.UID] = name
		if !slices.ContainsFunc(d.Templating.List, func(v struct {
			Name string `json:"name"`
			Type string `json:"type"`
		}) bool {
			return v.Name == "datasource" && v.Type == "datasource"
		}) {
			t.Errorf("%s: no datasource variable (dashboards must not hard-code a datasource UID)", name)
		}
		queries := 0
		for _, p := range flattenPanels(d.Panels) {
			for _, q := range p.Targets {
				queries++
				if q.Expr == "" {
					t.Errorf("%s / %s: empty query", name, p.Title)
				}
				for _, m := range metricNames(q.Expr) {
					if !known[m] {
						t.Errorf("%s / %s: %s is not a metric Alexandria exports", name, p.Title, m)
					}
				}
			}
			if p.Type != "row" && p.Datasource != nil && p.Datasource.UID != "${datasource}" {
				t.Errorf("%s / %s: datasource %q, want ${datasource}", name, p.Title, p.Datasource.UID)
			}
		}
		if queries == 0 {
			t.Errorf("%s: no queries", name)
		}
	}
}

type panel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

func flattenPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, flattenPanels(p.Panels)...)
	}
	return out
}

// TestRuleMetrics: the alert rules query only metrics the code exports.
func TestRuleMetrics(t *testing.T) {
	t.Parallel()
	known := exportedMetrics(t)
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string `json:"alert"`
				Record string `json:"record"`
				Expr   string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "rules.yaml"), &rules); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			for _, m := range metricNames(r.Expr) {
				if !known[m] {
					t.Errorf("%s%s: %s is not a metric Alexandria exports", r.Alert, r.Record, m)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no rules")
	}
}
