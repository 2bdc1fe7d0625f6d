package validate

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// instruction is one parsed Dockerfile line.
type instruction struct {
	cmd   string   // lower case: from, run, user, ...
	args  []string // the parser's tokens
	json  bool     // exec (JSON array) form
	flags []string
	line  string
}

type stage struct {
	from         string
	name         string
	instructions []instruction
}

func parseDockerfile(t *testing.T) (args map[string]string, stages []stage) {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(readFile(t, "deploy", "Dockerfile")))
	if err != nil {
		t.Fatalf("deploy/Dockerfile does not parse: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("deploy/Dockerfile: %s", w.Short)
	}
	args = map[string]string{}
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), json: n.Attributes["json"], flags: n.Flags, line: n.Original}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		switch {
		case in.cmd == "from":
			s := stage{from: in.args[0]}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "as") {
				s.name = in.args[2]
			}
			stages = append(stages, s)
		case len(stages) == 0 && in.cmd == "arg":
			k, v, _ := strings.Cut(in.args[0], "=")
			args[k] = v
		case len(stages) > 0:
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
		}
	}
	return args, stages
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func (s stage) last(t *testing.T, cmd string) instruction {
	t.Helper()
	all := s.all(cmd)
	if len(all) == 0 {
		t.Fatalf("final stage has no %s", strings.ToUpper(cmd))
	}
	return all[len(all)-1]
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	args, stages := parseDockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a builder and a final image", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	// Builder: the Go version of go.mod, on bookworm.
	goMod := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(readFile(t, "go.mod")))
	if goMod == nil {
		t.Fatal("no go directive in go.mod")
	}
	if build.from != "golang:${GO_VERSION}-bookworm" || args["GO_VERSION"] != goMod[1] {
		t.Errorf("builder FROM %s with GO_VERSION=%s, want golang:%s-bookworm (go.mod)", build.from, args["GO_VERSION"], goMod[1])
	}
	var buildCmd string
	cacheMounts := 0
	for _, run := range build.all("run") {
		for _, f := range run.flags {
			if strings.HasPrefix(f, "--mount=type=cache") {
				cacheMounts++
			}
		}
		if strings.Contains(run.line, "go build") {
			buildCmd = run.line
		}
	}
	if cacheMounts < 3 {
		t.Errorf("want module and build cache mounts, found %d", cacheMounts)
	}
	if envPairs(build.all("env"))["CGO_ENABLED"] != "0" {
		t.Errorf("builder does not set CGO_ENABLED=0 (a static binary for distroless/static)")
	}
	for _, want := range []string{"-trimpath", "-X main.version=${VERSION}", "./cmd/alexandria"} {
		if !strings.Contains(buildCmd, want) {
			t.Errorf("go build lacks %q: %s", want, buildCmd)
		}
	}

	// Default image (the last stage): distroless, for every target but the
	// ones that run external tools.
	if final.from != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final FROM %s", final.from)
	}
	checkRuntimeStage(t, "final", final)

	// The media image: the same binary with ffmpeg and poppler-utils
	// (processing), built with --target media (Compose, the chart's
	// image.mediaRepository).
	i := slices.IndexFunc(stages, func(s stage) bool { return s.name == "media" })
	if i < 0 {
		t.Fatal("no stage named media (the processing target's image)")
	}
	media := stages[i]
	if i == len(stages)-1 {
		t.Errorf("media is the last stage: a plain docker build must give the distroless image")
	}
	if media.from != "debian:bookworm-slim" {
		t.Errorf("media FROM %s, want debian:bookworm-slim (the distroless base's Debian release)", media.from)
	}
	var install string
	for _, run := range media.all("run") {
		if strings.Contains(run.line, "apt-get install") {
			install = run.line
		}
	}
	for _, want := range []string{"--no-install-recommends", "ffmpeg", "poppler-utils", "ca-certificates", "rm -rf /var/lib/apt/lists/*", "65532"} {
		if !strings.Contains(install, want) {
			t.Errorf("media: the apt-get RUN lacks %q: %s", want, install)
		}
	}
	checkRuntimeStage(t, "media", media)
	copies := func(s stage) []string {
		var out []string
		for _, c := range s.all("copy") {
			out = append(out, strings.Join(c.flags, " ")+" "+strings.Join(c.args, " "))
		}
		return out
	}
	if !slices.Equal(copies(media), copies(final)) {
		t.Errorf("media copies %v, the default image %v: both must carry the same binary and /data", copies(media), copies(final))
	}
}

// checkRuntimeStage: what every runtime image needs — non-root, the binary
// as entrypoint, serve by default, /data owned by 65532, the same defaults.
func checkRuntimeStage(t *testing.T, label string, final stage) {
	t.Helper()
	if u := final.last(t, "user").args[0]; u != "65532:65532" {
		t.Errorf("%s: USER %s, want 65532:65532", label, u)
	}
	if ep := final.last(t, "entrypoint"); !ep.json || !slices.Equal(ep.args, []string{"/alexandria"}) {
		t.Errorf("%s: ENTRYPOINT %v (json %v), want [\"/alexandria\"]", label, ep.args, ep.json)
	}
	if cmd := final.last(t, "cmd"); !cmd.json || !slices.Equal(cmd.args, []string{"serve"}) {
		t.Errorf("%s: CMD %v, want [\"serve\"]", label, cmd.args)
	}
	if e := final.last(t, "expose"); !slices.Equal(e.args, []string{"8080", "9090"}) {
		t.Errorf("%s: EXPOSE %v", label, e.args)
	}
	if v := final.last(t, "volume"); !slices.Equal(v.args, []string{"/data"}) {
		t.Errorf("%s: VOLUME %v", label, v.args)
	}
	owned := false
	for _, c := range final.all("copy") {
		if slices.Contains(c.flags, "--chown=65532:65532") && c.args[len(c.args)-1] == "/data" {
			owned = true
		}
	}
	if !owned {
		t.Errorf("%s: /data is not owned by nonroot (65532)", label)
	}
	finalEnv := envPairs(final.all("env"))
	want := map[string]string{"ALEXANDRIA_DATA_DIR": "/data", "ALEXANDRIA_HTTP_ADDR": ":8080", "ALEXANDRIA_HTTP_OPS_ADDR": ":9090", "ALEXANDRIA_LOG_FORMAT": "json"}
	for k, v := range want {
		if finalEnv[k] != v {
			t.Errorf("%s image: %s=%q, want %q", label, k, finalEnv[k], v)
		}
	}
	var names []string
	for k := range finalEnv {
		names = append(names, k)
	}
	checkEnvNames(t, "Dockerfile "+label, names)
}

// envPairs reads ENV instructions; the parser gives (key, value, "=") triples.
func envPairs(ins []instruction) map[string]string {
	out := map[string]string{}
	for _, in := range ins {
		for i := 0; i+1 < len(in.args); i += 3 {
			out[in.args[i]] = in.args[i+1]
		}
	}
	return out
}

// TestDockerignore: the build context keeps what the build needs and drops
// the rest.
func TestDockerignore(t *testing.T) {
	t.Parallel()
	var patterns []string
	for _, l := range strings.Split(string(readFile(t, ".dockerignore")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, keep := range []string{"go.mod", "go.sum", "cmd", "internal", "api"} {
		if slices.Contains(patterns, keep) || slices.Contains(patterns, "*") {
			t.Errorf(".dockerignore drops %s, which the build needs", keep)
		}
	}
	for _, drop := range []string{".git", "bin", "data"} {
		if !slices.Contains(patterns, drop) {
			t.Errorf(".dockerignore keeps %s in the build context", drop)
		}
	}
}
