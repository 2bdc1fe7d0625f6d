package validate

import (
	"bufio"
	"bytes"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const runbookBase = "https://github.com/alexandria-platform/alexandria/blob/main/docs/operations.md#"

// TestEveryAlertHasARunbook: each alert rule carries a runbook_url to a
// section of docs/operations.md that exists; a new alert without one fails.
func TestEveryAlertHasARunbook(t *testing.T) {
	t.Parallel()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `json:"alert"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "rules.yaml"), &rules); err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, "docs", "operations.md")))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "#") {
			anchors[anchorOf(strings.TrimLeft(line, "# "))] = true
		}
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			n++
			url := r.Annotations["runbook_url"]
			anchor, ok := strings.CutPrefix(url, runbookBase)
			if !ok {
				t.Errorf("alert %s: runbook_url %q does not point into docs/operations.md", r.Alert, url)
				continue
			}
			if !anchors[anchor] {
				t.Errorf("alert %s: docs/operations.md has no section #%s", r.Alert, anchor)
			}
		}
	}
	if n == 0 {
		t.Fatal("no alert rules found")
	}
}

// anchorOf is GitHub's anchor for a heading: lower case, spaces to
// hyphens, punctuation dropped.
func anchorOf(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestAmtool: the Alertmanager configuration passes `amtool check-config`
// (Debian prometheus-alertmanager).
func TestAmtool(t *testing.T) {
	t.Parallel()
	amtool := tool(t, "AMTOOL", "amtool")
	cmd := exec.Command(amtool, "check-config", "alertmanager.yml")
	cmd.Dir = path("deploy", "alertmanager")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("amtool check-config: %v\n%s", err, out)
	}
}

// amRoute is a route of either form, the file's (snake_case, matcher
// strings) or the AlertmanagerConfig's (camelCase, matcher objects), reduced
// to what decides where an alert goes.
type amRoute struct {
	Receiver string
	GroupBy  []string
	Wait     string
	Interval string
	Repeat   string
	Matchers []string
}

// checkAlertmanagerConfig: the chart's AlertmanagerConfig routes and
// inhibits like deploy/alertmanager/alertmanager.yml (the Compose stack's),
// so the two cannot drift apart, and takes its receivers from the values.
func checkAlertmanagerConfig(t *testing.T, amc *unstructured.Unstructured) {
	t.Helper()
	var file struct {
		Route struct {
			Receiver       string   `json:"receiver"`
			GroupBy        []string `json:"group_by"`
			GroupWait      string   `json:"group_wait"`
			GroupInterval  string   `json:"group_interval"`
			RepeatInterval string   `json:"repeat_interval"`
			Routes         []struct {
				Receiver       string   `json:"receiver"`
				Matchers       []string `json:"matchers"`
				RepeatInterval string   `json:"repeat_interval"`
			} `json:"routes"`
		} `json:"route"`
		InhibitRules []struct {
			Source []string `json:"source_matchers"`
			Target []string `json:"target_matchers"`
			Equal  []string `json:"equal"`
		} `json:"inhibit_rules"`
		Receivers []struct {
			Name string `json:"name"`
		} `json:"receivers"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "alertmanager", "alertmanager.yml"), &file); err != nil {
		t.Fatal(err)
	}
	type matcher struct{ Name, Value, MatchType string }
	var chart struct {
		Route struct {
			Receiver       string   `json:"receiver"`
			GroupBy        []string `json:"groupBy"`
			GroupWait      string   `json:"groupWait"`
			GroupInterval  string   `json:"groupInterval"`
			RepeatInterval string   `json:"repeatInterval"`
			Routes         []struct {
				Receiver       string    `json:"receiver"`
				Matchers       []matcher `json:"matchers"`
				RepeatInterval string    `json:"repeatInterval"`
			} `json:"routes"`
		} `json:"route"`
		InhibitRules []struct {
			Source []matcher `json:"sourceMatch"`
			Target []matcher `json:"targetMatch"`
			Equal  []string  `json:"equal"`
		} `json:"inhibitRules"`
		Receivers []struct {
			Name     string `json:"name"`
			Webhooks []struct {
				URL          string `json:"url"`
				SendResolved bool   `json:"sendResolved"`
			} `json:"webhookConfigs"`
		} `json:"receivers"`
	}
	spec, err := yaml.Marshal(amc.Object["spec"])
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(spec, &chart); err != nil {
		t.Fatal(err)
	}
	fromObjects := func(ms []matcher) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name+m.MatchType+m.Value)
		}
		return out
	}
	fromStrings := func(ms []string) []string {
		var out []string
		for _, m := range ms {
			parts := matcherText.FindStringSubmatch(m)
			if parts == nil {
				t.Fatalf("alertmanager.yml: matcher %q not understood", m)
			}
			out = append(out, parts[1]+parts[2]+parts[3])
		}
		return out
	}
	want := []amRoute{{file.Route.Receiver, file.Route.GroupBy, file.Route.GroupWait, file.Route.GroupInterval, file.Route.RepeatInterval, nil}}
	for _, r := range file.Route.Routes {
		want = append(want, amRoute{Receiver: r.Receiver, Repeat: r.RepeatInterval, Matchers: fromStrings(r.Matchers)})
	}
	got := []amRoute{{chart.Route.Receiver, chart.Route.GroupBy, chart.Route.GroupWait, chart.Route.GroupInterval, chart.Route.RepeatInterval, nil}}
	for _, r := range chart.Route.Routes {
		got = append(got, amRoute{Receiver: r.Receiver, Repeat: r.RepeatInterval, Matchers: fromObjects(r.Matchers)})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the chart's AlertmanagerConfig routes\n  %+v\nbut deploy/alertmanager/alertmanager.yml routes\n  %+v", got, want)
	}
	if len(chart.InhibitRules) != len(file.InhibitRules) {
		t.Fatalf("%d inhibit rules in the chart, %d in alertmanager.yml", len(chart.InhibitRules), len(file.InhibitRules))
	}
	for i, f := range file.InhibitRules {
		c := chart.InhibitRules[i]
		if !reflect.DeepEqual(fromObjects(c.Source), fromStrings(f.Source)) || !reflect.DeepEqual(fromObjects(c.Target), fromStrings(f.Target)) || !reflect.DeepEqual(c.Equal, f.Equal) {
			t.Errorf("inhibit rule %d differs: chart %+v, file %+v", i, c, f)
		}
	}
	urls := map[string]string{}
	for _, r := range chart.Receivers {
		if len(r.Webhooks) != 1 || !r.Webhooks[0].SendResolved {
			t.Errorf("receiver %s: webhooks %+v", r.Name, r.Webhooks)
			continue
		}
		urls[r.Name] = r.Webhooks[0].URL
	}
	for _, r := range file.Receivers {
		if _, ok := urls[r.Name]; !ok {
			t.Errorf("receiver %s of alertmanager.yml is missing from the chart", r.Name)
		}
	}
	if urls["oncall"] != "https://oncall.example.org/hook" || urls["team"] != "https://chat.example.org/hook" {
		t.Errorf("receiver URLs %v are not the values' oncallWebhookUrl and teamWebhookUrl", urls)
	}
}

var matcherText = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?([^"]*)"?\s*$`)

// TestComposeAlerting: Compose runs Alertmanager on deploy/alertmanager's
// file, and its Prometheus sends alerts there.
func TestComposeAlerting(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, nil)
	am, ok := p.Services["alertmanager"]
	if !ok {
		t.Fatal("compose has no alertmanager service")
	}
	mounted := false
	for _, v := range am.Volumes {
		if v.Source == path("deploy", "alertmanager", "alertmanager.yml") && v.Target == "/etc/alertmanager/alertmanager.yml" {
			mounted = true
		}
	}
	if !mounted || !slices.Contains(am.Command, "--config.file=/etc/alertmanager/alertmanager.yml") {
		t.Errorf("alertmanager does not run on deploy/alertmanager/alertmanager.yml: volumes %+v, command %v", am.Volumes, am.Command)
	}
	var prom struct {
		Alerting struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `json:"targets"`
				} `json:"static_configs"`
			} `json:"alertmanagers"`
		} `json:"alerting"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "prometheus.yml"), &prom); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, a := range prom.Alerting.Alertmanagers {
		for _, s := range a.StaticConfigs {
			targets = append(targets, s.Targets...)
		}
	}
	if !slices.Contains(targets, "alertmanager:9093") {
		t.Errorf("prometheus.yml sends alerts to %v, not to the alertmanager service", targets)
	}
}
