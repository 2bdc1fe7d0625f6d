{{/*
Names and labels.
*/}}
{{- define "alexandria.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "alexandria.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "alexandria.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "alexandria.labels" -}}
helm.sh/chart: {{ include "alexandria.chart" . }}
{{ include "alexandria.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: alexandria
{{- end }}

{{- define "alexandria.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alexandria.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The Secret holding URLs with credentials: the chart's own, or existingSecret.
*/}}
{{- define "alexandria.secretName" -}}
{{- default (include "alexandria.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "alexandria.externalDatabase" -}}
{{- if or .Values.database.url .Values.existingSecret }}true{{ end }}
{{- end }}

{{- define "alexandria.externalBus" -}}
{{- if or .Values.bus.url .Values.existingSecret }}true{{ end }}
{{- end }}

{{/*
Refuse configurations that would lose data or events. Called from every
workload template, so `helm template` and `helm install` fail early.
*/}}
{{- define "alexandria.validate" -}}
{{- if eq .Values.mode "microservices" }}
{{- if not (include "alexandria.externalDatabase" .) }}
{{- fail "mode=microservices needs PostgreSQL: set database.url or existingSecret (key database-url); SQLite files cannot be shared between pods" }}
{{- end }}
{{- if not (include "alexandria.externalBus" .) }}
{{- fail "mode=microservices needs a broker: set bus.url (nats://, kafka://, amqp://, ...) or existingSecret (key bus-url); the embedded bus is a file inside one pod" }}
{{- end }}
{{- else if eq .Values.mode "monolith" }}
{{- if not (include "alexandria.externalDatabase" .) }}
{{- if not .Values.persistence.enabled }}
{{- fail "mode=monolith without database.url stores SQLite files: set persistence.enabled=true (a PersistentVolumeClaim), or set database.url" }}
{{- end }}
{{- if or (gt (int .Values.monolith.replicas) 1) .Values.monolith.autoscaling.enabled }}
{{- fail "mode=monolith on SQLite runs exactly one replica: set monolith.replicas=1 and monolith.autoscaling.enabled=false, or use database.url" }}
{{- end }}
{{- end }}
{{- else }}
{{- fail (printf "mode must be monolith or microservices, not %q" .Values.mode) }}
{{- end }}
{{- if and .Values.canary.enabled (not .Values.canary.image.tag) }}
{{- fail "canary.enabled needs canary.image.tag" }}
{{- end }}
{{- end }}

{{/*
alexandria.workloads: the Deployments to run, as a YAML list. Microservices:
one per target in .Values.targets (merged over .Values.defaults); monolith:
one running -target=all. With canary.enabled, each gets a canary twin.
*/}}
{{- define "alexandria.workloads" -}}
{{- $root := . }}
{{- $stable := list }}
{{- if eq .Values.mode "monolith" }}
{{- $w := mergeOverwrite (deepCopy .Values.defaults) (deepCopy .Values.monolith) }}
{{- $paths := list }}
{{- range $name, $t := .Values.targets }}
{{- $paths = concat $paths $t.paths }}
{{- end }}
{{- $_ := set $w "component" "monolith" }}
{{- $_ = set $w "target" "all" }}
{{- $_ = set $w "paths" $paths }}
{{- $stable = append $stable $w }}
{{- else }}
{{- range $name, $t := .Values.targets }}
{{- $w := mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy $t) }}
{{- $_ := set $w "component" $name }}
{{- $_ = set $w "target" $name }}
{{- $stable = append $stable $w }}
{{- end }}
{{- end }}
{{- $out := list }}
{{- range $w := $stable }}
{{- $_ := set $w "track" "stable" }}
{{- $_ = set $w "tag" (default $root.Chart.AppVersion $root.Values.image.tag) }}
{{- $_ = set $w "name" (printf "%s-%s" (include "alexandria.fullname" $root) $w.component) }}
{{- $out = append $out $w }}
{{- if $root.Values.canary.enabled }}
{{- $c := deepCopy $w }}
{{- $_ = set $c "track" "canary" }}
{{- $_ = set $c "tag" $root.Values.canary.image.tag }}
{{- $_ = set $c "name" (printf "%s-%s-canary" (include "alexandria.fullname" $root) $w.component) }}
{{- $_ = set $c "replicas" $root.Values.canary.replicas }}
{{- $_ = set $c "autoscaling" (dict "enabled" false) }}
{{- $_ = set $c "pdb" (dict "enabled" false) }}
{{- $out = append $out $c }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{- define "alexandria.workloadLabels" -}}
{{ include "alexandria.labels" .root }}
app.kubernetes.io/component: {{ .w.component }}
alexandria.io/target: {{ .w.target }}
alexandria.io/track: {{ .w.track }}
{{- end }}

{{- define "alexandria.workloadSelector" -}}
{{ include "alexandria.selectorLabels" .root }}
app.kubernetes.io/component: {{ .w.component }}
alexandria.io/track: {{ .w.track }}
{{- end }}

{{- define "alexandria.image" -}}
{{- printf "%s:%s" .root.Values.image.repository .tag }}
{{- end }}

{{/*
alexandria.env: the process environment. Only ALEXANDRIA_* names the binary
knows may appear here (an unknown one stops it; deploy/validate checks the
rendered names against docs/configuration-reference.md). Args: root, target.
*/}}
{{- define "alexandria.env" -}}
{{- $v := .root.Values -}}
- name: ALEXANDRIA_HTTP_ADDR
  value: ":8080"
- name: ALEXANDRIA_DATA_DIR
  value: /data
- name: ALEXANDRIA_LOG_FORMAT
  value: json
- name: ALEXANDRIA_LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: ALEXANDRIA_HTTP_TRUST_FORWARDED_FOR
  value: {{ $v.config.trustForwardedFor | quote }}
{{- with $v.config.publicURL }}
- name: ALEXANDRIA_HTTP_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- with $v.config.otlpEndpoint }}
- name: ALEXANDRIA_TRACE_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- if include "alexandria.externalDatabase" .root }}
- name: ALEXANDRIA_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: database-url
- name: ALEXANDRIA_DATABASE_MAX_OPEN_CONNS
  value: {{ $v.database.maxOpenConns | quote }}
{{- end }}
{{- if include "alexandria.externalBus" .root }}
- name: ALEXANDRIA_BUS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: bus-url
      optional: {{ eq $v.mode "monolith" }}
{{- end }}
{{- if and (eq $v.mode "microservices") (not (has .target (list "identity" "migrate"))) }}
- name: ALEXANDRIA_IDENTITY_URL
  value: {{ printf "http://%s-identity:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
{{- end }}
{{- if or (eq .target "identity") (eq .target "all") }}
- name: ALEXANDRIA_ADMIN_EMAIL
  value: {{ $v.admin.email | quote }}
- name: ALEXANDRIA_ADMIN_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: admin-password
      optional: true
{{- end }}
{{- /*
Object store: the standard AWS SDK variables (S3 and S3-compatible stores).
Redis and the bucket name are kept in values and the Secret (redis-url) but
not passed yet: the binary has no redis/blob options, and an unknown
ALEXANDRIA_* variable would stop it. Map them here when those options land.
*/}}
{{- with $v.objectStore }}
{{- if .region }}
- name: AWS_REGION
  value: {{ .region | quote }}
{{- end }}
{{- if .endpoint }}
- name: AWS_ENDPOINT_URL_S3
  value: {{ .endpoint | quote }}
{{- end }}
{{- if or .accessKeyID $v.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" $.root }}
      key: s3-access-key-id
      optional: true
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" $.root }}
      key: s3-secret-access-key
      optional: true
{{- end }}
{{- end }}
{{- with $v.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "alexandria.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "alexandria.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end }}
