// Command alexandria runs the Alexandria platform: every service is a target
// of this one binary, run together (serve -target=all) or one per process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/alexandria-platform/alexandria/internal/app"
	"github.com/alexandria-platform/alexandria/internal/app/backends"
	"github.com/alexandria-platform/alexandria/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

const usage = `Alexandria: share and find books, documents, podcasts and videos.

Usage:
  alexandria serve   [-target=all|name,...] [-list-targets] [flags]   run targets
  alexandria migrate [up|status] [-target=...] [flags]                 apply or list migrations
  alexandria config  [-reference] [flags]                              print the effective configuration
  alexandria events  dlq list|replay|purge -target=name [-id=ID ...]    inspect and replay dead letters
  alexandria events  catalogue [-out DIR]                              write the event schemas and catalogue
  alexandria search  reindex [-url URL] [flags]                        rebuild the search index from the public API
  alexandria healthcheck [-url URL]                                   exit 0 when /readyz answers 200 (container probes)
  alexandria version                                                   print the version

Common flags:
  -config FILE        YAML configuration file
  -http-addr ADDR     listen address (ALEXANDRIA_HTTP_ADDR)
  -data-dir DIR       data directory (ALEXANDRIA_DATA_DIR)
  -database-url URL   PostgreSQL URL; empty for SQLite (ALEXANDRIA_DATABASE_URL)
  -set key=value      any option by its YAML path, e.g. -set identity.access_token_ttl=10m

Precedence: embedded defaults < file < environment (ALEXANDRIA_...) < flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "alexandria:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	// Link in the bus transports and blob stores this build has, before
	// any configuration names one.
	if err := backends.Register(); err != nil {
		return err
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, stdout, stderr)
	case "config":
		return printConfig(args, stdout, stderr)
	case "events":
		return eventsCommand(ctx, args, stdout, stderr)
	case "search":
		return searchCommand(ctx, args, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stderr)
	case "version", "-version", "--version":
		_, err := fmt.Fprintln(stdout, "alexandria", buildVersion())
		return err
	case "help", "-h", "-help", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// configFlags are the flags every command that reads configuration takes.
type configFlags struct {
	file, httpAddr, dataDir, databaseURL string
	set                                  multiFlag
}

func (f *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "config", "", "YAML configuration file")
	fs.StringVar(&f.httpAddr, "http-addr", "", "listen address (host:port)")
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (empty: SQLite files in the data dir)")
	fs.Var(&f.set, "set", "option override as yaml.path=value (repeatable)")
}

func (f *configFlags) load() (config.Config, error) {
	src := config.Sources{Env: os.Environ(), FileName: f.file}
	if f.file != "" {
		b, err := os.ReadFile(f.file)
		if err != nil {
			return config.Config{}, fmt.Errorf("-config: %w", err)
		}
		src.File = b
	}
	// The named flags are shortcuts for -set; they win over the environment.
	for key, v := range map[string]string{"http.addr": f.httpAddr, "data_dir": f.dataDir, "database.url": f.databaseURL} {
		if v != "" {
			src.Set = append(src.Set, key+"="+v)
		}
	}
	src.Set = append(src.Set, f.set...)
	return config.Load(src)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	target := fs.String("target", "all", "targets to run: all, or a comma list")
	list := fs.Bool("list-targets", false, "list the targets and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, t := range app.Targets() {
			fmt.Fprintf(stdout, "%-12s %s\n", t.Name, t.Description)
		}
		return nil
	}
	c, err := cf.load()
	if err != nil {
		return err
	}
	return app.Run(ctx, c, *target, app.Options{Version: buildVersion(), Stdout: stdout, Stderr: stderr})
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	action := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	target := fs.String("target", "all", "targets whose migrations to run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := cf.load()
	if err != nil {
		return err
	}
	return app.Migrate(ctx, c, *target, action, stdout)
}

// searchCommand is `alexandria search reindex`: it reads catalog's public
// API (the gateway, or the all-in-one process) and rewrites the search
// store the configuration names.
func searchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reindex" {
		return errors.New("usage: alexandria search reindex [-url URL] [flags]")
	}
	fs := flag.NewFlagSet("search reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	apiURL := fs.String("url", "", "base URL of the public API (default: http.public_url, else http://127.0.0.1 at http.addr's port)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	c, err := cf.load()
	if err != nil {
		return err
	}
	u := *apiURL
	if u == "" {
		u = c.HTTP.PublicURL
	}
	if u == "" {
		_, port, _ := net.SplitHostPort(c.HTTP.Addr)
		u = "http://127.0.0.1:" + port
	}
	return app.SearchReindex(ctx, c, u, stdout)
}

func printConfig(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	reference := fs.Bool("reference", false, "print every option with its environment variable and default (Markdown)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reference {
		return config.WriteReference(stdout)
	}
	c, err := cf.load()
	if err != nil {
		return err
	}
	return c.WriteYAML(stdout)
}

func eventsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) >= 1 && args[0] == "catalogue" {
		fs := flag.NewFlagSet("events catalogue", flag.ContinueOnError)
		fs.SetOutput(stderr)
		root := fs.String("out", ".", "repository root: writes api/events/*.json and docs/events.md under it")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return app.EventCatalogue().Write(*root)
	}
	if len(args) < 2 || args[0] != "dlq" {
		return errors.New("usage: alexandria events dlq list|replay|purge -target=name [-id=ID ...] | alexandria events catalogue [-out DIR]")
	}
	action := args[1]
	fs := flag.NewFlagSet("events dlq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	target := fs.String("target", "", "the target whose dead letters to work on")
	var ids multiFlag
	fs.Var(&ids, "id", "dead letter ID (repeatable; purge without -id removes all)")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	c, err := cf.load()
	if err != nil {
		return err
	}
	return app.DeadLetterCommand(ctx, c, *target, action, ids, stdout)
}

// healthcheck asks a running process whether it is ready: distroless
// images have no shell or curl for a container healthcheck.
func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080/readyz", "readiness URL to ask")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", *target, resp.StatusCode)
	}
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
