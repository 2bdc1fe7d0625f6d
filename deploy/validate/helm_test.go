package validate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// strict decodes YAML into the typed objects of k8s.io/api and rejects
// unknown and duplicate fields.
var strict = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

// rendered is one `helm template` output, decoded.
type rendered struct {
	deployments  []*appsv1.Deployment
	services     []*corev1.Service
	hpas         []*autoscalingv2.HorizontalPodAutoscaler
	pdbs         []*policyv1.PodDisruptionBudget
	ingresses    []*networkingv1.Ingress
	jobs         []*batchv1.Job
	secrets      []*corev1.Secret
	pvcs         []*corev1.PersistentVolumeClaim
	configMaps   []*corev1.ConfigMap
	custom       []*unstructured.Unstructured // monitoring.coreos.com
	releaseLabel string
}

const chartPath = "deploy/helm/alexandria"

func helmTemplate(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	helm := tool(t, "HELM", "helm")
	cmd := exec.Command(helm, append([]string{"template", "rel", path(chartPath), "--namespace", "media"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

func render(t *testing.T, args ...string) *rendered {
	t.Helper()
	out, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatalf("helm template %v: %v", args, err)
	}
	r := &rendered{releaseLabel: "rel"}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var head metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, doc)
		}
		if strings.HasPrefix(head.APIVersion, "monitoring.coreos.com/") {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(doc, &u.Object); err != nil {
				t.Fatal(err)
			}
			r.custom = append(r.custom, u)
			continue
		}
		obj, _, err := strict.Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("%s %s does not decode strictly: %v\n%s", head.APIVersion, head.Kind, err, doc)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			r.deployments = append(r.deployments, o)
		case *corev1.Service:
			r.services = append(r.services, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			r.hpas = append(r.hpas, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *networkingv1.Ingress:
			r.ingresses = append(r.ingresses, o)
		case *batchv1.Job:
			r.jobs = append(r.jobs, o)
		case *corev1.Secret:
			r.secrets = append(r.secrets, o)
		case *corev1.PersistentVolumeClaim:
			r.pvcs = append(r.pvcs, o)
		case *corev1.ConfigMap:
			r.configMaps = append(r.configMaps, o)
		default:
			t.Fatalf("unexpected object %T (%s)", obj, head.Kind)
		}
	}
	return r
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

func values(name string) []string {
	return []string{"-f", path("deploy", "validate", "testdata", name)}
}

func TestHelmMicroservices(t *testing.T) {
	t.Parallel()
	r := render(t, values("microservices.yaml")...)
	want := targets(t)
	if got := len(r.deployments); got != len(want) {
		t.Fatalf("%d Deployments, want one per target %v", got, want)
	}
	for _, name := range want {
		d := r.deployment(t, "rel-alexandria-"+name)
		checkWorkload(t, r, d, name, "stable")
		env := envOf(d)
		if name != "identity" {
			if got := env["ALEXANDRIA_IDENTITY_URL"].Value; got != "http://rel-alexandria-identity:8080" {
				t.Errorf("%s: ALEXANDRIA_IDENTITY_URL = %q, want identity's Service", name, got)
			}
		} else if _, ok := env["ALEXANDRIA_IDENTITY_URL"]; ok {
			t.Errorf("identity must not point at itself")
		}
		fromSecret := []string{"ALEXANDRIA_DATABASE_URL", "ALEXANDRIA_BUS_URL"}
		if usesBlob(t, name) {
			fromSecret = append(fromSecret, "ALEXANDRIA_BLOB_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
			if env["ALEXANDRIA_BLOB_URL"].ValueFrom.SecretKeyRef.Key != "blob-url" || *env["ALEXANDRIA_BLOB_URL"].ValueFrom.SecretKeyRef.Optional {
				t.Errorf("%s: ALEXANDRIA_BLOB_URL must come from the required Secret key blob-url: %+v", name, env["ALEXANDRIA_BLOB_URL"].ValueFrom)
			}
		} else {
			for _, v := range []string{"ALEXANDRIA_BLOB_URL", "AWS_ACCESS_KEY_ID"} {
				if _, ok := env[v]; ok {
					t.Errorf("%s: %s set, but the target does not use the object store", name, v)
				}
			}
		}
		for _, v := range fromSecret {
			ref := env[v].ValueFrom
			if ref == nil || ref.SecretKeyRef == nil || ref.SecretKeyRef.Name != "rel-alexandria" {
				t.Errorf("%s: %s must come from the chart's Secret, got %+v", name, v, env[v])
			}
		}
		// Storage presents the service key to catalog (signed links to
		// drafts): every pod reads the one key of the chart's Secret.
		if ref := env["ALEXANDRIA_SERVICE_KEY"].ValueFrom; ref == nil || ref.SecretKeyRef == nil || ref.SecretKeyRef.Name != "rel-alexandria" ||
			ref.SecretKeyRef.Key != "service-key" || ref.SecretKeyRef.Optional == nil || *ref.SecretKeyRef.Optional {
			t.Errorf("%s: ALEXANDRIA_SERVICE_KEY must come from the required Secret key service-key: %+v", name, env["ALEXANDRIA_SERVICE_KEY"])
		}
		if got, want := env["ALEXANDRIA_STORAGE_CATALOG_URL"].Value, map[bool]string{true: "http://rel-alexandria-catalog:8080"}[name == "storage"]; got != want {
			t.Errorf("%s: ALEXANDRIA_STORAGE_CATALOG_URL %q, want %q", name, got, want)
		}
		checkImage(t, d, name, "1.4.0")
		if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
			t.Errorf("%s: strategy %s, want RollingUpdate", name, d.Spec.Strategy.Type)
		}
		if podLocal(t, name) {
			// Unfinished tus uploads on the pod's disk: one pod, no HPA.
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || r.hpa(d.Name) != nil {
				t.Errorf("%s keeps uploads on the pod's disk: want 1 replica and no HPA, got %v replicas, HPA %v", name, d.Spec.Replicas, r.hpa(d.Name) != nil)
			}
		} else {
			if d.Spec.Replicas != nil {
				t.Errorf("%s: replicas set although an HPA scales it", name)
			}
			if r.hpa(d.Name) == nil {
				t.Errorf("%s: no HorizontalPodAutoscaler", name)
			}
		}
		if r.pdbFor(t, d) == nil {
			t.Errorf("%s: no PodDisruptionBudget", name)
		}
	}
	for _, h := range r.hpas {
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || r.deployment(t, h.Spec.ScaleTargetRef.Name) == nil {
			t.Errorf("HPA %s scales %v", h.Name, h.Spec.ScaleTargetRef)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 || len(h.Spec.Metrics) == 0 {
			t.Errorf("HPA %s: min %v, %d metrics", h.Name, h.Spec.MinReplicas, len(h.Spec.Metrics))
		}
	}
	checkSecret(t, r, "rel-alexandria", "database-url", "bus-url", "redis-url", "blob-url", "s3-access-key-id", "s3-secret-access-key", "service-key")
	checkMigrationJob(t, r, "1.4.0")
	checkIngress(t, r)
	if len(r.custom) != 0 {
		t.Errorf("ServiceMonitor/PrometheusRule rendered although disabled")
	}
}

// TestHelmServiceKey: the Secret's service-key is serviceKey when given,
// else a generated one long enough to resist guessing.
func TestHelmServiceKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want func(string) bool
	}{
		{"given_key_is_kept", []string{"--set", "serviceKey=a-key-chosen-by-the-operator"}, func(k string) bool { return k == "a-key-chosen-by-the-operator" }},
		{"empty_key_is_generated", nil, func(k string) bool { return len(k) >= 32 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, append(values("microservices.yaml"), tc.args...)...)
			checkSecret(t, r, "rel-alexandria", "service-key")
			if k := r.secrets[0].StringData["service-key"]; !tc.want(k) {
				t.Errorf("service-key %q", k)
			}
		})
	}
}

func TestHelmMonolith(t *testing.T) {
	t.Parallel()
	r := render(t, values("monolith.yaml")...)
	if len(r.deployments) != 1 {
		t.Fatalf("%d Deployments, want 1", len(r.deployments))
	}
	d := r.deployments[0]
	checkWorkload(t, r, d, "all", "stable")
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("SQLite monolith must run one replica, got %v", d.Spec.Replicas)
	}
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("SQLite monolith must use Recreate (one writer on a RWO volume), got %s", d.Spec.Strategy.Type)
	}
	if len(r.hpas) != 0 {
		t.Errorf("SQLite monolith must not autoscale")
	}
	if len(r.pvcs) != 1 {
		t.Fatalf("%d PVCs, want 1", len(r.pvcs))
	}
	var claim string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "data" && v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	if claim != r.pvcs[0].Name {
		t.Errorf("/data is not the PVC %s (claim %q)", r.pvcs[0].Name, claim)
	}
	env := envOf(d)
	for _, v := range []string{"ALEXANDRIA_DATABASE_URL", "ALEXANDRIA_IDENTITY_URL", "ALEXANDRIA_STORAGE_CATALOG_URL", "ALEXANDRIA_BLOB_URL"} {
		if _, ok := env[v]; ok {
			t.Errorf("monolith on SQLite sets %s", v)
		}
	}
	// It runs processing: the media image.
	checkImage(t, d, "processing", "0.1.0")
	if len(r.jobs) != 0 {
		t.Errorf("migration Job rendered for SQLite (it migrates at start, and the PVC does not exist yet)")
	}
	checkIngress(t, r)
}

func TestHelmCanaryAndMonitoring(t *testing.T) {
	t.Parallel()
	r := render(t, values("canary.yaml")...)
	names := targets(t)
	if got := len(r.deployments); got != 2*len(names) {
		t.Fatalf("%d Deployments, want a stable and a canary one per target", got)
	}
	for _, name := range names {
		stable := r.deployment(t, "rel-alexandria-"+name)
		canary := r.deployment(t, "rel-alexandria-"+name+"-canary")
		checkWorkload(t, r, stable, name, "stable")
		checkWorkload(t, r, canary, name, "canary")
		stableTag := "1.4.0"
		if needsMediaImage(t, name) {
			stableTag = "1.4.0-media" // image.mediaTag
		}
		checkImage(t, stable, name, stableTag)
		checkImage(t, canary, name, "1.5.0-rc.1")
		if usesBlob(t, name) {
			if envOf(stable)["ALEXANDRIA_BLOB_PRESIGN_DOWNLOADS"].Value != "true" {
				t.Errorf("%s: blob.presignDownloads not passed", name)
			}
			if ref := envOf(stable)["ALEXANDRIA_BLOB_URL"].ValueFrom; ref == nil || ref.SecretKeyRef.Name != "alexandria-credentials" || ref.SecretKeyRef.Key != "blob-url" {
				t.Errorf("%s: ALEXANDRIA_BLOB_URL not from existingSecret's blob-url: %+v", name, ref)
			}
		}
		if r.hpa(canary.Name) != nil {
			t.Errorf("%s canary autoscales", name)
		}
		if name != "identity" {
			if got := envOf(canary)["ALEXANDRIA_IDENTITY_URL"].Value; got != "http://rel-alexandria-identity:8080" {
				t.Errorf("%s canary: identity URL %q", name, got)
			}
		}
		for k, v := range envOf(stable) {
			if v.ValueFrom != nil && v.ValueFrom.SecretKeyRef != nil && v.ValueFrom.SecretKeyRef.Name != "alexandria-credentials" {
				t.Errorf("%s: %s reads Secret %s, want existingSecret", name, k, v.ValueFrom.SecretKeyRef.Name)
			}
		}
	}
	if len(r.secrets) != 0 {
		t.Errorf("chart Secret rendered although existingSecret is set")
	}
	checkMigrationJob(t, r, "1.5.0-rc.1")
	checkIngress(t, r)

	var sm, rule, amc *unstructured.Unstructured
	for _, u := range r.custom {
		wantAPI := "monitoring.coreos.com/v1"
		switch u.GetKind() {
		case "ServiceMonitor":
			sm = u
		case "PrometheusRule":
			rule = u
		case "AlertmanagerConfig":
			amc, wantAPI = u, "monitoring.coreos.com/v1alpha1"
		default:
			t.Errorf("unexpected %s", u.GetKind())
		}
		if u.GetAPIVersion() != wantAPI {
			t.Errorf("%s: apiVersion %s", u.GetKind(), u.GetAPIVersion())
		}
		if u.GetLabels()["release"] != "kube-prometheus-stack" {
			t.Errorf("%s: operator selector label missing: %v", u.GetKind(), u.GetLabels())
		}
	}
	if sm == nil || rule == nil {
		t.Fatalf("ServiceMonitor %v, PrometheusRule %v", sm != nil, rule != nil)
	}
	checkServiceMonitor(t, r, sm)
	checkPrometheusRule(t, rule)
	if amc == nil {
		t.Fatal("no AlertmanagerConfig although metrics.alertmanagerConfig.enabled")
	}
	checkAlertmanagerConfig(t, amc)
	if want := len(dashboardFiles(t)); len(r.configMaps) != want {
		t.Errorf("%d dashboard ConfigMaps, want %d", len(r.configMaps), want)
	}
	for _, cm := range r.configMaps {
		if cm.Labels["grafana_dashboard"] != "1" || len(cm.Data) != 1 {
			t.Errorf("dashboard ConfigMap %s: labels %v, %d files", cm.Name, cm.Labels, len(cm.Data))
		}
	}
}

// TestHelmRefuses: settings that would lose data or events do not render.
func TestHelmRefuses(t *testing.T) {
	t.Parallel()
	db := "database.url=postgres://u:p@db:5432/a"
	bus, blob := "bus.url=nats://n:4222", "blob.url=s3://b?region=r"
	cases := []struct {
		name string
		set  []string
		want string
	}{
		{"microservices_without_database", []string{bus, blob}, "needs PostgreSQL"},
		{"microservices_without_broker", []string{db, blob}, "needs a broker"},
		{"microservices_without_blob", []string{db, bus}, "blob.url"},
		{"microservices_file_blob", []string{db, bus, "blob.url=file:///data/blobs"}, "file://"},
		{"monolith_sqlite_without_volume", []string{"mode=monolith"}, "persistence.enabled=true"},
		{"monolith_sqlite_two_replicas", []string{"mode=monolith", "persistence.enabled=true", "monolith.replicas=2"}, "exactly one replica"},
		{"monolith_postgres_two_replicas_local_blobs", []string{"mode=monolith", db, "persistence.enabled=true", "monolith.replicas=2"}, "object store the pods share"},
		{"monolith_local_blobs_without_volume", []string{"mode=monolith", db}, "blob.url"},
		{"canary_without_tag", []string{db, bus, blob, "canary.enabled=true"}, "canary.image.tag"},
		{"unknown_mode", []string{"mode=split"}, "mode"},
		{"unknown_value", []string{db, bus, blob, "replicaCount=3"}, "replicaCount"},
		{"unknown_target", []string{db, bus, blob, "targets.catalogue.replicas=1"}, "catalogue"},
		{"database_not_postgres", []string{"database.url=mysql://x", bus, blob}, "database"},
		{"blob_unknown_scheme", []string{db, bus, "blob.url=ftp://x"}, "blob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var args []string
			for _, s := range c.set {
				args = append(args, "--set", s)
			}
			_, err := helmTemplate(t, args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error mentioning %q, got %v", c.want, err)
			}
		})
	}
}

func (r *rendered) deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	for _, d := range r.deployments {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no Deployment %s", name)
	return nil
}

func (r *rendered) hpa(deployment string) *autoscalingv2.HorizontalPodAutoscaler {
	for _, h := range r.hpas {
		if h.Spec.ScaleTargetRef.Name == deployment {
			return h
		}
	}
	return nil
}

func (r *rendered) pdbFor(t *testing.T, d *appsv1.Deployment) *policyv1.PodDisruptionBudget {
	t.Helper()
	for _, p := range r.pdbs {
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil {
			t.Fatal(err)
		}
		if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			return p
		}
	}
	return nil
}

// servicesSelecting returns the Services whose selector matches the pod labels.
func (r *rendered) servicesSelecting(pod map[string]string) []*corev1.Service {
	var out []*corev1.Service
	for _, s := range r.services {
		if labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(pod)) {
			out = append(out, s)
		}
	}
	return out
}

func envOf(d *appsv1.Deployment) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		out[e.Name] = e
	}
	return out
}

// checkWorkload: what every Deployment must have, whatever the mode.
func checkWorkload(t *testing.T, r *rendered, d *appsv1.Deployment, target, track string) {
	t.Helper()
	name := d.Name
	pod := d.Spec.Template.Spec
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("%s: selector %v does not match its pods %v", name, d.Spec.Selector, d.Spec.Template.Labels)
	}
	// No two Deployments may select each other's pods (stable vs canary).
	for _, other := range r.deployments {
		if other != d && sel.Matches(labels.Set(other.Spec.Template.Labels)) {
			t.Errorf("%s selects the pods of %s", name, other.Name)
		}
	}
	if got := d.Spec.Template.Labels["alexandria.io/track"]; got != track {
		t.Errorf("%s: track %q, want %q", name, got, track)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(pod.Containers))
	}
	c := pod.Containers[0]
	if want := []string{"serve", "-target=" + target}; !slices.Equal(c.Args, want) {
		t.Errorf("%s: args %v, want %v", name, c.Args, want)
	}
	if len(c.Command) != 0 {
		t.Errorf("%s: command %v overrides the image's entrypoint", name, c.Command)
	}
	for probe, want := range map[string]*corev1.Probe{"/livez": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if want == nil || want.HTTPGet == nil || want.HTTPGet.Path != probe || want.HTTPGet.Port.String() != "http" {
			t.Errorf("%s: probe on %s missing or wrong: %+v", name, probe, want)
		}
	}
	if c.StartupProbe == nil || c.StartupProbe.HTTPGet == nil {
		t.Errorf("%s: no startup probe (migrations run at start)", name)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[res], c.Resources.Limits[res]
		if req.IsZero() || lim.IsZero() || req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %s limit %s", name, res, req.String(), lim.String())
		}
	}
	psc, csc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("%s: pod must run as non-root: %+v", name, psc)
	}
	if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
		csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation ||
		csc.Capabilities == nil || !slices.Equal(csc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("%s: container security context %+v", name, csc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token it does not need", name)
	}
	mounts := map[string]bool{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = true
	}
	if !mounts["/data"] || !mounts["/tmp"] {
		t.Errorf("%s: read-only root needs writable /data and /tmp, mounts %v", name, mounts)
	}
	var envNames []string
	for _, e := range c.Env {
		envNames = append(envNames, e.Name)
		if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil {
			if !r.secretExists(ref.SecretKeyRef.Name) && ref.SecretKeyRef.Name != "alexandria-credentials" {
				t.Errorf("%s: %s reads missing Secret %s", name, e.Name, ref.SecretKeyRef.Name)
			}
		}
	}
	checkEnvNames(t, name, envNames)
	if envOf(d)["ALEXANDRIA_HTTP_ADDR"].Value != ":8080" || c.Ports[0].ContainerPort != 8080 || c.Ports[0].Name != "http" {
		t.Errorf("%s: must listen on :8080 as port http", name)
	}
	if envOf(d)["ALEXANDRIA_HTTP_OPS_ADDR"].Value != ":9090" || len(c.Ports) != 2 || c.Ports[1].ContainerPort != 9090 || c.Ports[1].Name != "ops" {
		t.Errorf("%s: must serve /metrics on the operations listener :9090 as port ops", name)
	}
	svcs := r.servicesSelecting(d.Spec.Template.Labels)
	if len(svcs) != 1 || svcs[0].Name != name {
		t.Errorf("%s: selected by Services %v, want exactly its own", name, serviceNames(svcs))
	} else if svcs[0].Labels["alexandria.io/target"] != target || svcs[0].Labels["app.kubernetes.io/part-of"] != "alexandria" {
		t.Errorf("%s: Service labels %v (the ServiceMonitor relabels from them)", name, svcs[0].Labels)
	}
}

// checkImage: the media image for targets that run external tools, the
// default (distroless) one for the others.
func checkImage(t *testing.T, d *appsv1.Deployment, target, tag string) {
	t.Helper()
	want := "ghcr.io/alexandria-platform/alexandria:" + tag
	if needsMediaImage(t, target) {
		want = "ghcr.io/alexandria-platform/alexandria-media:" + tag
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != want {
		t.Errorf("%s: image %s, want %s", d.Name, got, want)
	}
}

// podLocal: the target keeps state on the pod's disk between requests (tus
// uploads in tusd's file store, with an in-process lock).
func podLocal(t *testing.T, target string) bool {
	return targetUses(t, target, regexp.MustCompile(`tusd/v2/pkg/filestore"|tusd/v2/pkg/memorylocker"`))
}

func serviceNames(s []*corev1.Service) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Name)
	}
	return out
}

func (r *rendered) secretExists(name string) bool {
	return slices.ContainsFunc(r.secrets, func(s *corev1.Secret) bool { return s.Name == name })
}

func checkSecret(t *testing.T, r *rendered, name string, keys ...string) {
	t.Helper()
	if len(r.secrets) != 1 || r.secrets[0].Name != name {
		t.Fatalf("want one Secret %s, got %d", name, len(r.secrets))
	}
	s := r.secrets[0]
	for _, k := range keys {
		if s.StringData[k] == "" {
			t.Errorf("Secret %s: no %s", name, k)
		}
	}
	// The migration hook reads it: it must exist before the hook runs.
	if weight, err := strconv.Atoi(s.Annotations["helm.sh/hook-weight"]); s.Annotations["helm.sh/hook"] != "pre-install,pre-upgrade" || err != nil || weight >= 0 {
		t.Errorf("Secret %s must be an earlier pre-install hook than the migration Job: %v", name, s.Annotations)
	}
}

func checkMigrationJob(t *testing.T, r *rendered, tag string) {
	t.Helper()
	if len(r.jobs) != 1 {
		t.Fatalf("%d Jobs, want the migration hook", len(r.jobs))
	}
	j := r.jobs[0]
	if j.Annotations["helm.sh/hook"] != "pre-install,pre-upgrade" {
		t.Errorf("migration Job hook %q", j.Annotations["helm.sh/hook"])
	}
	c := j.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Args[:2], []string{"migrate", "up"}) || !strings.HasSuffix(c.Image, ":"+tag) {
		t.Errorf("migration Job runs %v with %s, want migrate up with tag %s", c.Args, c.Image, tag)
	}
	if j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migration Job restart policy %s", j.Spec.Template.Spec.RestartPolicy)
	}
	var names []string
	hasDB := false
	for _, e := range c.Env {
		names = append(names, e.Name)
		hasDB = hasDB || e.Name == "ALEXANDRIA_DATABASE_URL"
	}
	checkEnvNames(t, "migration Job", names)
	if !hasDB {
		t.Errorf("migration Job has no ALEXANDRIA_DATABASE_URL")
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("migration Job security context %+v", sc)
	}
}

// checkIngress: every backend exists; ingress-nginx routes every path the
// gateway template (deploy/nginx/alexandria.conf.template) routes to the
// same target, and nothing else; storage's Ingress streams; each canary
// Ingress mirrors a stable one with ingress-nginx canary annotations.
func checkIngress(t *testing.T, r *rendered) {
	t.Helper()
	stable, canary := map[string]*networkingv1.Ingress{}, map[string]*networkingv1.Ingress{}
	for _, in := range r.ingresses {
		if in.Annotations["nginx.ingress.kubernetes.io/canary"] == "true" {
			canary[strings.TrimSuffix(in.Name, "-canary")] = in
		} else {
			stable[in.Name] = in
		}
	}
	if len(stable) == 0 {
		t.Fatal("no Ingress")
	}
	paths, useRegex := ingressPaths(t, r, stable)
	monolith := r.deployments[0].Spec.Template.Labels["alexandria.io/target"] == "all"
	locs := gatewayLocations(t)
	for _, p := range probePaths(t, locs) {
		want, got := gatewayTarget(locs, p), ingressTarget(t, paths, useRegex, p)
		// A path the gateway does not route answers 404 either way (e.g.
		// /v1/auth without the slash: the Ingress's Prefix routes it, and
		// the target answers 404).
		switch {
		case want == "":
		case got == "":
			t.Errorf("the gateway routes %s to %s; the Ingress does not route it", p, want)
		case monolith && got != "all", !monolith && got != want:
			t.Errorf("the gateway routes %s to %s; the Ingress to %s", p, want, got)
		}
	}
	// Each path of the Ingresses is one of the gateway's.
	for _, ip := range paths {
		found := slices.ContainsFunc(locs, func(l location) bool {
			return l.target != "" && (l.kind == "~") == (ip.pathType == string(networkingv1.PathTypeImplementationSpecific)) &&
				strings.TrimSuffix(strings.TrimPrefix(l.pattern, "^"), "/") == strings.TrimSuffix(ip.path, "/")
		})
		if !found {
			t.Errorf("Ingress %s routes %s (%s), which the gateway template does not", ip.ingress, ip.path, ip.pathType)
		}
	}
	// Storage streams bodies: the same settings as the gateway's locations.
	for _, in := range stable {
		if !slices.ContainsFunc(in.Spec.Rules[0].HTTP.Paths, func(p networkingv1.HTTPIngressPath) bool { return p.Path == "/v1/uploads" }) {
			continue
		}
		for k, v := range map[string]string{"proxy-body-size": "0", "proxy-request-buffering": "off", "proxy-buffering": "off", "proxy-read-timeout": "300", "proxy-send-timeout": "300"} {
			if got := in.Annotations["nginx.ingress.kubernetes.io/"+k]; got != v {
				t.Errorf("Ingress %s (uploads): %s = %q, want %q", in.Name, k, got, v)
			}
		}
		for _, p := range in.Spec.Rules[0].HTTP.Paths {
			for _, other := range stable {
				if other != in && slices.ContainsFunc(other.Spec.Rules[0].HTTP.Paths, func(o networkingv1.HTTPIngressPath) bool {
					return o.Backend.Service.Name == p.Backend.Service.Name && !monolith
				}) {
					t.Errorf("storage's Service %s is also reached through Ingress %s, without the streaming settings", p.Backend.Service.Name, other.Name)
				}
			}
		}
	}
	if len(canary) == 0 {
		return
	}
	for name, c := range canary {
		s, ok := stable[name]
		if !ok {
			t.Errorf("canary Ingress %s has no stable twin %s", c.Name, name)
			continue
		}
		local := false
		for _, p := range s.Spec.Rules[0].HTTP.Paths {
			local = local || (p.Path == "/v1/uploads" && podLocal(t, "storage"))
		}
		wantWeight := "20"
		if local {
			// A tus upload's requests must reach one pod: header only.
			wantWeight = "0"
		}
		if w := c.Annotations["nginx.ingress.kubernetes.io/canary-weight"]; w != wantWeight {
			t.Errorf("canary Ingress %s: weight %q, want %q", c.Name, w, wantWeight)
		}
		if c.Annotations["nginx.ingress.kubernetes.io/canary-by-header"] != "X-Canary" {
			t.Errorf("canary Ingress %s: header annotation missing: %v", c.Name, c.Annotations)
		}
		if c.Annotations["nginx.ingress.kubernetes.io/use-regex"] != s.Annotations["nginx.ingress.kubernetes.io/use-regex"] {
			t.Errorf("canary Ingress %s: use-regex differs from %s", c.Name, s.Name)
		}
		cpaths, _ := ingressPaths(t, r, map[string]*networkingv1.Ingress{c.Name: c})
		spaths, _ := ingressPaths(t, r, map[string]*networkingv1.Ingress{s.Name: s})
		if len(cpaths) != len(spaths) {
			t.Errorf("canary Ingress %s has %d paths, stable %d", c.Name, len(cpaths), len(spaths))
			continue
		}
		for i := range spaths {
			if cpaths[i].path != spaths[i].path || cpaths[i].pathType != spaths[i].pathType || cpaths[i].target != spaths[i].target {
				t.Errorf("canary Ingress %s routes %+v, stable %+v", c.Name, cpaths[i], spaths[i])
			}
		}
		if !reflect.DeepEqual(hosts(s), hosts(c)) || *c.Spec.IngressClassName != *s.Spec.IngressClassName {
			t.Errorf("canary Ingress %s hosts/class differ from stable", c.Name)
		}
	}
	for name := range stable {
		if _, ok := canary[name]; !ok {
			t.Errorf("stable Ingress %s has no canary twin", name)
		}
	}
}

// ingressPaths lists the paths of the Ingresses with the target of the
// Service each reaches (checking the Service, its port and its track), and
// whether ingress-nginx matches the host's paths as regular expressions.
func ingressPaths(t *testing.T, r *rendered, ins map[string]*networkingv1.Ingress) ([]ingressPath, bool) {
	t.Helper()
	var out []ingressPath
	useRegex := false
	names := make([]string, 0, len(ins))
	for n := range ins {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		in := ins[n]
		regex := in.Annotations["nginx.ingress.kubernetes.io/use-regex"] == "true"
		useRegex = useRegex || regex
		for _, rule := range in.Spec.Rules {
			for _, p := range rule.HTTP.Paths {
				switch {
				case p.PathType == nil:
					t.Errorf("%s %s: no pathType", in.Name, p.Path)
					continue
				case *p.PathType == networkingv1.PathTypePrefix:
					// ingress-nginx rejects Prefix paths with regex characters.
					if !regexp.MustCompile(`^/[A-Za-z0-9._/-]*$`).MatchString(p.Path) {
						t.Errorf("%s: Prefix path %q has characters ingress-nginx's path validation refuses", in.Name, p.Path)
					}
				case *p.PathType == networkingv1.PathTypeImplementationSpecific && regex:
				default:
					t.Errorf("%s %s: pathType %s (ImplementationSpecific only for regular expressions with use-regex)", in.Name, p.Path, *p.PathType)
				}
				b := p.Backend.Service
				i := slices.IndexFunc(r.services, func(s *corev1.Service) bool { return s.Name == b.Name })
				if i < 0 {
					t.Errorf("%s %s: no Service %s", in.Name, p.Path, b.Name)
					continue
				}
				svc := r.services[i]
				if b.Port.Name != "http" {
					t.Errorf("%s %s: routes to port %q; only http is public (ops serves /metrics)", in.Name, p.Path, b.Port.Name)
				}
				if !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == b.Port.Name }) {
					t.Errorf("%s %s: Service %s has no port %q", in.Name, p.Path, b.Name, b.Port.Name)
				}
				wantTrack := "stable"
				if in.Annotations["nginx.ingress.kubernetes.io/canary"] == "true" {
					wantTrack = "canary"
				}
				if svc.Spec.Selector["alexandria.io/track"] != wantTrack {
					t.Errorf("%s %s: reaches %s pods via %s", in.Name, p.Path, svc.Spec.Selector["alexandria.io/track"], svc.Name)
				}
				out = append(out, ingressPath{path: p.Path, pathType: string(*p.PathType), target: svc.Labels["alexandria.io/target"], ingress: in.Name})
			}
		}
	}
	return out, useRegex
}

func hosts(in *networkingv1.Ingress) []string {
	var out []string
	for _, r := range in.Spec.Rules {
		out = append(out, r.Host)
	}
	return out
}

func checkServiceMonitor(t *testing.T, r *rendered, sm *unstructured.Unstructured) {
	t.Helper()
	if job, _, _ := unstructured.NestedString(sm.Object, "spec", "jobLabel"); job != "app.kubernetes.io/part-of" {
		t.Errorf("ServiceMonitor jobLabel %q: the rules select job=\"alexandria\"", job)
	}
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	selected := 0
	for _, s := range r.services {
		if labels.SelectorFromSet(sel).Matches(labels.Set(s.Labels)) {
			selected++
		}
	}
	if selected != len(r.services) {
		t.Errorf("ServiceMonitor selects %d of %d Services", selected, len(r.services))
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("%d endpoints", len(eps))
	}
	ep := eps[0].(map[string]any)
	if ep["port"] != "ops" || ep["path"] != "/metrics" || ep["honorLabels"] != true {
		t.Errorf("ServiceMonitor endpoint %v", ep)
	}
	relabeled := map[string]bool{}
	for _, rl := range ep["relabelings"].([]any) {
		relabeled[rl.(map[string]any)["targetLabel"].(string)] = true
	}
	if !relabeled["target"] || !relabeled["track"] {
		t.Errorf("ServiceMonitor must set the target and track labels the rules and dashboards use: %v", relabeled)
	}
}

// checkPrometheusRule: the chart's rules are deploy/prometheus/rules.yaml.
func checkPrometheusRule(t *testing.T, rule *unstructured.Unstructured) {
	t.Helper()
	var want struct {
		Groups []any `json:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy", "prometheus", "rules.yaml"), &want); err != nil {
		t.Fatal(err)
	}
	got, _, _ := unstructured.NestedSlice(rule.Object, "spec", "groups")
	if len(got) == 0 || !reflect.DeepEqual(toJSONValue(t, want.Groups), toJSONValue(t, got)) {
		t.Errorf("PrometheusRule groups differ from deploy/prometheus/rules.yaml")
	}
}

func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := yaml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestChartUsesTheOneSource: the chart cannot read files outside its
// directory, so it reaches the rules and dashboards through symbolic links
// to deploy/prometheus and deploy/grafana (helm follows them), which
// Compose mounts too: one copy of each, nothing to keep equal.
func TestChartUsesTheOneSource(t *testing.T) {
	t.Parallel()
	pairs := map[string][]string{
		"deploy/prometheus/rules.yaml": {"deploy", "helm", "alexandria", "files", "rules.yaml"},
	}
	for _, d := range dashboardFiles(t) {
		pairs["deploy/grafana/dashboards/"+d] = []string{"deploy", "helm", "alexandria", "files", "dashboards", d}
	}
	for src, link := range pairs {
		l := path(link...)
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s must be a symbolic link to %s (err %v)", strings.Join(link, "/"), src, err)
			continue
		}
		got, err := filepath.EvalSymlinks(l)
		if err != nil {
			t.Errorf("%s: %v", strings.Join(link, "/"), err)
			continue
		}
		want, _ := filepath.EvalSymlinks(path(strings.Split(src, "/")...))
		if got != want {
			t.Errorf("%s points at %s, want %s", strings.Join(link, "/"), got, src)
		}
	}
	entries, err := os.ReadDir(path("deploy", "helm", "alexandria", "files", "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(pairs)-1 {
		t.Errorf("the chart has %d dashboard links, deploy/grafana/dashboards %d files", len(entries), len(pairs)-1)
	}
}

// copyChart copies a chart directory, following its symbolic links.
func copyChart(t *testing.T, dst, src string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o750)
		}
		b, err := os.ReadFile(p) //nolint:gosec // the repository's own chart
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHelmNotes renders NOTES.txt (which `helm template` skips) by wrapping
// it in a ConfigMap of a copy of the chart, for each example values file.
func TestHelmNotes(t *testing.T) {
	t.Parallel()
	helm := tool(t, "HELM", "helm")
	dir := t.TempDir()
	copyChart(t, dir, path(chartPath))
	notes, err := os.ReadFile(filepath.Join(dir, "templates", "NOTES.txt"))
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "files", "notes.txt"), notes, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "templates", "zz-notes.yaml"), []byte(
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n{{ tpl (.Files.Get \"files/notes.txt\") . | indent 4 }}\n"), 0o644))
	for file, want := range map[string][]string{
		"monolith.yaml":      {"mode: monolith", "-target=all", "PVC rel-alexandria-data", "http://alexandria.example.org/docs", "created administrator"},
		"microservices.yaml": {"mode: microservices", "Targets: analytics, catalog, engagement, feeds, identity, notify, processing, search, storage, web", "https://alexandria.example.org/docs", "helm uninstall"},
		"canary.yaml":        {"20% of requests go to tag 1.5.0-rc.1", "X-Canary", "--set image.tag=1.5.0-rc.1"},
	} {
		cmd := exec.Command(helm, "template", "rel", dir, "-n", "media", "--show-only", "templates/zz-notes.yaml", "-f", path("deploy", "validate", "testdata", file))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: NOTES.txt does not render: %v\n%s", file, err, out)
			continue
		}
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(out, &cm); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(cm.Data["notes"], w) {
				t.Errorf("%s: NOTES lack %q:\n%s", file, w, cm.Data["notes"])
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
