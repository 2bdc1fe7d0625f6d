package config

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLoadLayersDefaultsFileEnvFlags(t *testing.T) {
	t.Parallel()
	file := []byte("http:\n  addr: \":9000\"\n  shutdown_timeout: 5s\ndata_dir: /srv/file\n")
	c, err := Load(Sources{
		File: file, FileName: "test.yaml",
		Env: []string{"ALEXANDRIA_DATA_DIR=/srv/env", "HOME=/root", "ALEXANDRIA_LOG_LEVEL=debug"},
		Set: []string{"data_dir=/srv/flag"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != ":9000" {
		t.Errorf("file did not set http.addr: %q", c.HTTP.Addr)
	}
	if c.HTTP.ShutdownTimeout != 5*time.Second {
		t.Errorf("file did not set shutdown_timeout: %v", c.HTTP.ShutdownTimeout)
	}
	if c.DataDir != "/srv/flag" {
		t.Errorf("flag should win over env and file: %q", c.DataDir)
	}
	if c.Log.Level != "debug" {
		t.Errorf("env did not set log.level: %q", c.Log.Level)
	}
	if c.HTTP.WriteTimeout != Default().HTTP.WriteTimeout {
		t.Errorf("default lost: %v", c.HTTP.WriteTimeout)
	}
}

func TestRequiredEnvironmentNames(t *testing.T) {
	t.Parallel()
	c, err := Load(Sources{Env: []string{
		"ALEXANDRIA_HTTP_ADDR=127.0.0.1:1234",
		"ALEXANDRIA_HTTP_OPS_ADDR=:9091",
		"ALEXANDRIA_DATA_DIR=/tmp/x",
		"ALEXANDRIA_DATABASE_URL=postgres://u:p@localhost:5432/db",
		"ALEXANDRIA_ADMIN_EMAIL=boss@example.org",
		"ALEXANDRIA_ADMIN_PASSWORD=s3cret-s3cret",
		"ALEXANDRIA_IDENTITY_URL=http://identity:8080",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != "127.0.0.1:1234" || c.HTTP.OpsAddr != ":9091" || c.DataDir != "/tmp/x" || c.Database.URL == "" ||
		c.Identity.AdminEmail != "boss@example.org" || c.Identity.AdminPassword != "s3cret-s3cret" ||
		c.IdentityURL != "http://identity:8080" {
		t.Fatalf("environment not applied: %+v", c)
	}
}

func TestInvalidConfigurationNamesTheOption(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  Sources
		want string
	}{
		{"unknown_env", Sources{Env: []string{"ALEXANDRIA_HTTP_ADRR=:1"}}, "ALEXANDRIA_HTTP_ADRR"},
		{"unknown_file_key", Sources{File: []byte("http:\n  adrr: x\n"), FileName: "f.yaml"}, `"adrr"`},
		{"unknown_flag_key", Sources{Set: []string{"http.nope=1"}}, "http.nope"},
		{"malformed_database_url", Sources{Env: []string{"ALEXANDRIA_DATABASE_URL=mysql://x"}}, "database.url"},
		{"garbage_database_url", Sources{Env: []string{"ALEXANDRIA_DATABASE_URL=postgres://%zz"}}, "database.url"},
		{"bad_duration", Sources{Set: []string{"http.shutdown_timeout=soon"}}, "http.shutdown_timeout"},
		{"bad_addr", Sources{Set: []string{"http.addr=nowhere"}}, "http.addr"},
		{"bad_ops_addr", Sources{Set: []string{"http.ops_addr=nowhere"}}, "http.ops_addr"},
		{"ops_addr_on_the_public_port", Sources{Set: []string{"http.addr=:8080", "http.ops_addr=127.0.0.1:8080"}}, "http.ops_addr"},
		{"bad_identity_url", Sources{Set: []string{"identity_url=ftp://x"}}, "identity_url"},
		{"bad_log_format", Sources{Set: []string{"log.format=xml"}}, "log.format"},
		{"empty_data_dir", Sources{Set: []string{"data_dir= "}}, "data_dir"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tc.src)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %s", err, tc.want)
			}
		})
	}
}

func TestPrintedConfigurationMasksSecrets(t *testing.T) {
	t.Parallel()
	c, err := Load(Sources{Env: []string{
		"ALEXANDRIA_DATABASE_URL=postgres://app:hunter2@db:5432/alex",
		"ALEXANDRIA_ADMIN_PASSWORD=topsecretpassword",
	}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"hunter2", "topsecretpassword"} {
		if strings.Contains(out, secret) {
			t.Fatalf("printed configuration leaks %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "postgres://app:********@db:5432/alex") {
		t.Fatalf("database URL should stay recognisable:\n%s", out)
	}
	// What is printed uses exactly the option names a file takes (secrets
	// masked, so it is a template, not a copy of the credentials).
	var parsed Config
	if err := apply(&parsed, Sources{File: b.Bytes(), FileName: "printed"}); err != nil {
		t.Fatalf("printed configuration is not a configuration file: %v", err)
	}
	if parsed.HTTP.Addr != c.HTTP.Addr || parsed.Identity.AccessTokenTTL != c.Identity.AccessTokenTTL {
		t.Fatalf("printed values do not read back: %+v", parsed.HTTP)
	}
}

func TestEnvironmentNamesAreUnique(t *testing.T) {
	t.Parallel()
	c := Default()
	seen := map[string]string{}
	for _, f := range collectAll(&c) {
		if prev, dup := seen[f.env]; dup {
			t.Fatalf("%s and %s share the variable %s", prev, f.path, f.env)
		}
		seen[f.env] = f.path
		if f.doc == "" {
			t.Errorf("%s has no doc tag", f.path)
		}
	}
}

func TestReferenceListsEveryOption(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteReference(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ALEXANDRIA_HTTP_ADDR", "ALEXANDRIA_DATABASE_URL", "ALEXANDRIA_ADMIN_PASSWORD", "ALEXANDRIA_IDENTITY_URL"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("reference lacks %s", want)
		}
	}
}
