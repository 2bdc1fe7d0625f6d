package config

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzLoad feeds the configuration loader arbitrary YAML files and
// environment entries. It must answer a configuration or an error, never
// panic; an error never repeats a secret's value; and a configuration it
// accepts prints (WriteYAML, secrets masked) as a file that loads again and
// prints the same.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("http:\n  addr: \":9000\"\n  shutdown_timeout: 5s\ndata_dir: /srv/file\n"), "ALEXANDRIA_LOG_LEVEL", "debug")
	f.Add([]byte("http:\n  adr: x\n"), "ALEXANDRIA_DATA_DIR", "/x")
	f.Add([]byte("http: [1, 2]\n"), "ALEXANDRIA_HTTP_ADDR", "nope")
	f.Add([]byte("log: {level: loud}\n"), "ALEXANDRIA_DATABASE_URL", "postgres://user:s3cretpassword@db:5432/x")
	f.Add([]byte("&a [*a]"), "ALEXANDRIA_HTTP_SHUTDOWN_TIMEOUT", "-5s")
	f.Add([]byte("data_dir: !!binary AAAA\n"), "ALEXANDRIA_HTTP_READ_TIMEOUT", "9999999999999h")
	f.Add([]byte(""), "HOME", "/root")
	var secrets = map[string]bool{}
	d := Default()
	for _, fl := range collectAll(&d) {
		if fl.secret {
			secrets[fl.env] = true
		}
	}
	f.Fuzz(func(t *testing.T, file []byte, key, value string) {
		if strings.ContainsRune(key, '=') {
			return
		}
		c, err := Load(Sources{File: file, FileName: "fuzz.yaml", Env: []string{key + "=" + value}})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			if secrets[key] && len(value) >= 8 && strings.Contains(err.Error(), value) {
				t.Fatalf("error repeats the secret %s: %v", key, err)
			}
			return
		}
		var out bytes.Buffer
		if err := c.WriteYAML(&out); err != nil {
			t.Fatalf("WriteYAML: %v", err)
		}
		c2, err := Load(Sources{File: out.Bytes(), FileName: "printed.yaml"})
		if err != nil {
			t.Fatalf("the printed configuration does not load: %v\n%s", err, out.Bytes())
		}
		var again bytes.Buffer
		if err := c2.WriteYAML(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), again.Bytes()) {
			t.Fatalf("printing is not stable:\n%s\n---\n%s", out.Bytes(), again.Bytes())
		}
	})
}
