package validate

import (
	"context"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/yaml"
)

// loadCompose loads deploy/compose/compose.yaml through the Compose
// specification loader (schema validation, interpolation, merge keys) with
// the given env files and profiles — and nothing from the OS environment.
func loadCompose(t *testing.T, envFiles []string, profiles ...string) *types.Project {
	t.Helper()
	dir := path("deploy", "compose")
	fns := []cli.ProjectOptionsFn{cli.WithWorkingDirectory(dir), cli.WithProfiles(profiles), cli.WithResolvedPaths(true)}
	if len(envFiles) > 0 { // else not even a developer's deploy/compose/.env
		fns = append(fns, cli.WithEnvFiles(envFiles...), cli.WithDotEnv)
	}
	opts, err := cli.NewProjectOptions([]string{path("deploy", "compose", "compose.yaml")}, fns...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	return p
}

func TestComposeMicroservices(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		envFiles []string
	}{
		{"dev_defaults", nil},
		{"env_example", []string{path("deploy", "compose", ".env.example")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := loadCompose(t, c.envFiles)
			if p.Name != "alexandria" {
				t.Errorf("project name %q (Alloy filters logs on it)", p.Name)
			}
			checkComposeTargets(t, p)
			checkComposeGateway(t, p)
			checkComposeInfra(t, p)
		})
	}
}

func checkComposeTargets(t *testing.T, p *types.Project) {
	t.Helper()
	migrate := p.Services["migrate"]
	if !slices.Equal(migrate.Command, types.ShellCommand{"migrate", "up"}) || migrate.Restart != "no" {
		t.Errorf("migrate: command %v restart %q", migrate.Command, migrate.Restart)
	}
	if migrate.DependsOn["postgres"].Condition != types.ServiceConditionHealthy {
		t.Errorf("migrate must wait for a healthy postgres: %v", migrate.DependsOn)
	}
	image := migrate.Image
	var mediaImage, blobURL, serviceKey string
	for _, name := range append(targets(t), "migrate") {
		s, ok := p.Services[name]
		if !ok {
			t.Errorf("no service %s", name)
			continue
		}
		if s.Build == nil || s.Build.Context != root || s.Build.Dockerfile != "deploy/Dockerfile" {
			t.Errorf("%s: build %+v; every target must be built from deploy/Dockerfile at the repository root", name, s.Build)
		} else if name != "migrate" && needsMediaImage(t, name) {
			// Runs ffmpeg/poppler: the Dockerfile's media stage, its own tag.
			if s.Build.Target != "media" || s.Image == image || s.Image == "" {
				t.Errorf("%s runs external tools: want build target media and an image other than %q, got target %q image %q", name, image, s.Build.Target, s.Image)
			}
			if mediaImage != "" && s.Image != mediaImage {
				t.Errorf("%s: media image %q, another target uses %q", name, s.Image, mediaImage)
			}
			mediaImage = s.Image
		} else if s.Image != image || s.Build.Target != "" {
			t.Errorf("%s: image %q target %q; want the default (distroless) image %q", name, s.Image, s.Build.Target, image)
		}
		if !s.ReadOnly || !slices.Equal(s.CapDrop, []string{"ALL"}) {
			t.Errorf("%s: read_only %v cap_drop %v", name, s.ReadOnly, s.CapDrop)
		}
		env := map[string]string{}
		var names []string
		for k, v := range s.Environment {
			names = append(names, k)
			if v != nil {
				env[k] = *v
			}
		}
		checkEnvNames(t, "compose "+name, names)
		if !regexp.MustCompile(`^postgres://[^:]+:[^@]+@postgres:5432/\w+`).MatchString(env["ALEXANDRIA_DATABASE_URL"]) {
			t.Errorf("%s: ALEXANDRIA_DATABASE_URL %q", name, env["ALEXANDRIA_DATABASE_URL"])
		}
		if name == "migrate" {
			continue
		}
		if want := []string{"serve", "-target=" + name}; !slices.Equal(s.Command, types.ShellCommand(want)) {
			t.Errorf("%s: command %v, want %v", name, s.Command, want)
		}
		if env["ALEXANDRIA_BUS_URL"] != "nats://nats:4222" {
			t.Errorf("%s: ALEXANDRIA_BUS_URL %q, want NATS by default", name, env["ALEXANDRIA_BUS_URL"])
		}
		if env["ALEXANDRIA_TRACE_OTLP_ENDPOINT"] != "http://jaeger:4318" {
			t.Errorf("%s: traces go to %q", name, env["ALEXANDRIA_TRACE_OTLP_ENDPOINT"])
		}
		wantIdentity := "http://identity:8080"
		if name == "identity" {
			wantIdentity = ""
		}
		if env["ALEXANDRIA_IDENTITY_URL"] != wantIdentity {
			t.Errorf("%s: ALEXANDRIA_IDENTITY_URL %q, want %q", name, env["ALEXANDRIA_IDENTITY_URL"], wantIdentity)
		}
		// Storage presents the service key to catalog (signed links to
		// drafts): both must have the same one.
		if k, ok := env["ALEXANDRIA_SERVICE_KEY"]; ok || name == "catalog" || name == "storage" {
			if k == "" || (serviceKey != "" && k != serviceKey) {
				t.Errorf("%s: ALEXANDRIA_SERVICE_KEY %q; catalog and storage must share one non-empty key (another target has %q)", name, k, serviceKey)
			}
			serviceKey = k
		}
		if name == "storage" && env["ALEXANDRIA_STORAGE_CATALOG_URL"] != "http://catalog:8080" {
			t.Errorf("storage: ALEXANDRIA_STORAGE_CATALOG_URL %q, want http://catalog:8080", env["ALEXANDRIA_STORAGE_CATALOG_URL"])
		}
		if usesBlob(t, name) {
			checkComposeBlob(t, p, name, env)
			if blobURL != "" && env["ALEXANDRIA_BLOB_URL"] != blobURL {
				t.Errorf("%s: ALEXANDRIA_BLOB_URL %q; another target uses %q (they must share the bucket)", name, env["ALEXANDRIA_BLOB_URL"], blobURL)
			}
			blobURL = env["ALEXANDRIA_BLOB_URL"]
		} else if _, ok := env["ALEXANDRIA_BLOB_URL"]; ok {
			t.Errorf("%s: ALEXANDRIA_BLOB_URL set, but the target does not use the object store", name)
		}
		if s.HealthCheck == nil || !slices.Equal(s.HealthCheck.Test, types.HealthCheckTest{"CMD", "/alexandria", "healthcheck"}) {
			t.Errorf("%s: healthcheck %+v, want the binary's own", name, s.HealthCheck)
		}
		if v := s.Volumes; len(v) != 1 || v[0].Target != "/data" || v[0].Type != types.VolumeTypeVolume || v[0].Source != name+"-data" {
			t.Errorf("%s: volumes %+v, want its own named volume on /data", name, v)
		}
		if d := s.DependsOn["migrate"]; d.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s: must start after migrate completes, depends_on %v", name, s.DependsOn)
		}
		if d := s.DependsOn["nats"]; d.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s: must wait for a healthy NATS", name)
		}
		for _, broker := range []string{"kafka", "rabbitmq"} {
			if d, ok := s.DependsOn[broker]; ok && d.Required {
				t.Errorf("%s: depends on the %s profile unconditionally", name, broker)
			}
		}
		if len(s.Ports) != 0 {
			t.Errorf("%s publishes ports; only the gateway may", name)
		}
	}
	// Prometheus scrapes every target.
	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			StaticConfigs []struct {
				Targets []string          `json:"targets"`
				Labels  map[string]string `json:"labels"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "prometheus.yml"), &prom); err != nil {
		t.Fatal(err)
	}
	scraped := map[string]string{}
	for _, sc := range prom.ScrapeConfigs {
		if sc.JobName != "alexandria" {
			continue
		}
		for _, st := range sc.StaticConfigs {
			for _, addr := range st.Targets {
				scraped[addr] = st.Labels["target"]
			}
		}
	}
	for _, name := range targets(t) {
		if scraped[name+":9090"] != name {
			t.Errorf("prometheus.yml does not scrape %s:9090 (the operations listener) with target=%s (%v)", name, name, scraped)
		}
	}
}

// checkComposeBlob: a target that uses the object store reaches the MinIO
// bucket minio-init creates, with MinIO's credentials, once it exists.
func checkComposeBlob(t *testing.T, p *types.Project, name string, env map[string]string) {
	t.Helper()
	u, err := url.Parse(env["ALEXANDRIA_BLOB_URL"])
	if err != nil || u.Scheme != "s3" {
		t.Errorf("%s: ALEXANDRIA_BLOB_URL %q, want s3://<bucket>?endpoint=http://minio:9000...", name, env["ALEXANDRIA_BLOB_URL"])
		return
	}
	q := u.Query()
	minioEnv := p.Services["minio-init"].Environment
	if bucket := minioEnv["MINIO_BUCKET"]; bucket == nil || u.Host != *bucket {
		t.Errorf("%s: bucket %q is not the one minio-init creates (%v)", name, u.Host, bucket)
	}
	if q.Get("endpoint") != "http://minio:9000" || q.Get("use_path_style") != "true" || q.Get("region") == "" {
		t.Errorf("%s: ALEXANDRIA_BLOB_URL %q: want endpoint=http://minio:9000, use_path_style=true and a region", name, u)
	}
	for k, minioKey := range map[string]string{"AWS_ACCESS_KEY_ID": "MINIO_ROOT_USER", "AWS_SECRET_ACCESS_KEY": "MINIO_ROOT_PASSWORD"} {
		if want := p.Services["minio"].Environment[minioKey]; want == nil || env[k] != *want {
			t.Errorf("%s: %s is not MinIO's %s", name, k, minioKey)
		}
	}
	if env["ALEXANDRIA_BLOB_PRESIGN_DOWNLOADS"] == "true" {
		t.Errorf("%s: presigned downloads would send browsers to http://minio:9000", name)
	}
	if d := p.Services[name].DependsOn["minio-init"]; d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("%s: must start after minio-init created the bucket, depends_on %v", name, p.Services[name].DependsOn)
	}
}

func checkComposeGateway(t *testing.T, p *types.Project) {
	t.Helper()
	g := p.Services["gateway"]
	var public []string
	for name, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP == "" || port.HostIP == "0.0.0.0" {
				public = append(public, name+":"+port.Published)
			}
		}
	}
	if !slices.Equal(public, []string{"gateway:8080"}) {
		t.Errorf("public ports %v, want only gateway:8080", public)
	}
	var template string
	for _, v := range g.Volumes {
		if v.Target == "/etc/nginx/templates/alexandria.conf.template" {
			template = v.Source
		}
	}
	if template != path("deploy", "nginx", "alexandria.conf.template") {
		t.Fatalf("gateway does not mount deploy/nginx/alexandria.conf.template into /etc/nginx/templates (%q)", template)
	}
	// Every ${VAR} of the template is set (the image's envsubst would leave it empty).
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)\}`).FindAllStringSubmatch(string(readFile(t, "deploy", "nginx", "alexandria.conf.template")), -1) {
		if v := g.Environment[m[1]]; v == nil || *v == "" {
			t.Errorf("gateway: template variable %s not set", m[1])
		}
	}
	for _, name := range targets(t) {
		up := strings.ToUpper(name) + "_UPSTREAM"
		if v := g.Environment[up]; v == nil || *v != name+":8080" {
			t.Errorf("gateway: %s = %v, want %s:8080", up, v, name)
		}
	}
	for _, name := range targets(t) {
		if d := g.DependsOn[name]; d.Condition != types.ServiceConditionHealthy {
			t.Errorf("gateway does not wait for a healthy %s", name)
		}
	}
	if v := g.Environment["LISTEN_PORT"]; v == nil || *v != "8080" {
		t.Errorf("gateway LISTEN_PORT %v", v)
	}
}

func checkComposeInfra(t *testing.T, p *types.Project) {
	t.Helper()
	for _, name := range []string{"postgres", "redis", "nats", "minio", "minio-init", "mailpit", "prometheus", "grafana", "loki", "alloy", "jaeger", "gateway"} {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	for _, name := range []string{"postgres", "redis", "nats", "minio"} {
		if hc := p.Services[name].HealthCheck; hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s has no healthcheck; dependants wait on it", name)
		}
	}
	if !slices.Contains(p.Services["nats"].Command, "-js") {
		t.Errorf("nats without JetStream: %v", p.Services["nats"].Command)
	}
	if d := p.Services["minio-init"].DependsOn["minio"]; d.Condition != types.ServiceConditionHealthy {
		t.Errorf("minio-init must wait for minio")
	}
	if !strings.Contains(strings.Join(p.Services["minio-init"].Command, " "), "mc mb") {
		t.Errorf("minio-init does not create the bucket with mc")
	}
	// Bind mounts exist in the repository.
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind || v.Source == "/var/run/docker.sock" {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which does not exist", name, v.Source)
			}
		}
	}
	alloy := p.Services["alloy"]
	if !slices.ContainsFunc(alloy.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Source == "/var/run/docker.sock" && v.ReadOnly }) {
		t.Errorf("alloy must read container logs through the docker socket, read-only")
	}
	if !strings.Contains(string(readFile(t, "deploy", "alloy", "config.alloy")), "com.docker.compose.project="+p.Name) {
		t.Errorf("config.alloy does not filter on the project name %q", p.Name)
	}
	if _, ok := p.Services["kafka"]; ok {
		t.Errorf("kafka runs without its profile")
	}
}

func TestComposeBrokerProfiles(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ profile, scheme string }{{"kafka", "kafka://kafka:9092"}, {"rabbitmq", "amqp://"}} {
		t.Run(c.profile, func(t *testing.T) {
			t.Parallel()
			p := loadCompose(t, nil, c.profile)
			s, ok := p.Services[c.profile]
			if !ok {
				t.Fatalf("profile %s does not enable service %s", c.profile, c.profile)
			}
			if s.HealthCheck == nil {
				t.Errorf("%s has no healthcheck", c.profile)
			}
			for _, name := range targets(t) {
				if d := p.Services[name].DependsOn[c.profile]; d.Condition != types.ServiceConditionHealthy {
					t.Errorf("%s does not wait for a healthy %s", name, c.profile)
				}
			}
			// The URL to use is documented where the developer sets it.
			if !strings.Contains(string(readFile(t, "deploy", "compose", ".env.example")), "ALEXANDRIA_BUS_URL="+c.scheme) {
				t.Errorf(".env.example does not show ALEXANDRIA_BUS_URL=%s…", c.scheme)
			}
		})
	}
}

// TestComposeEnvExample: every variable compose.yaml reads is in .env.example.
func TestComposeEnvExample(t *testing.T) {
	t.Parallel()
	var compose string
	for _, l := range strings.Split(string(readFile(t, "deploy", "compose", "compose.yaml")), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			compose += l + "\n"
		}
	}
	example := string(readFile(t, "deploy", "compose", ".env.example"))
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`(^|[^$])\$\{([A-Z_][A-Z0-9_]*)`).FindAllStringSubmatch(compose, -1) {
		used[m[2]] = true
	}
	for v := range used {
		if !regexp.MustCompile(`(?m)^#?\s*` + v + `=`).MatchString(example) {
			t.Errorf("compose.yaml reads ${%s}; .env.example does not list it", v)
		}
	}
	if len(used) < 5 {
		t.Errorf("found only %d variables in compose.yaml", len(used))
	}
}

// TestComposeGrafana: the provisioned datasources and dashboards are where
// the Grafana container looks for them.
func TestComposeGrafana(t *testing.T) {
	t.Parallel()
	p := loadCompose(t, nil)
	mounts := map[string]string{}
	for _, v := range p.Services["grafana"].Volumes {
		mounts[v.Source] = v.Target
	}
	if mounts[path("deploy", "grafana", "provisioning")] != "/etc/grafana/provisioning" {
		t.Errorf("grafana does not mount the provisioning directory: %v", mounts)
	}
	var providers struct {
		Providers []struct {
			Options struct {
				Path string `json:"path"`
			} `json:"options"`
		} `json:"providers"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "grafana", "provisioning", "dashboards", "dashboards.yaml"), &providers); err != nil {
		t.Fatal(err)
	}
	if len(providers.Providers) != 1 || mounts[path("deploy", "grafana", "dashboards")] != providers.Providers[0].Options.Path {
		t.Errorf("dashboard provider path %+v is not where deploy/grafana/dashboards is mounted (%v)", providers, mounts)
	}
	var ds struct {
		Datasources []struct {
			UID  string `json:"uid"`
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"datasources"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "grafana", "provisioning", "datasources", "datasources.yaml"), &ds); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, d := range ds.Datasources {
		types[d.Type] = d.URL
	}
	for typ, svc := range map[string]string{"prometheus": "prometheus", "loki": "loki", "jaeger": "jaeger"} {
		u, ok := types[typ]
		if !ok {
			t.Errorf("no %s datasource", typ)
			continue
		}
		if _, ok := p.Services[svc]; !ok || !strings.Contains(u, "//"+svc+":") {
			t.Errorf("%s datasource URL %q does not reach the %s service", typ, u, svc)
		}
	}
}
