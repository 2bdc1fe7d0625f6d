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

{{- define "alexandria.externalBlob" -}}
{{- if or .Values.blob.url .Values.existingSecret }}true{{ end }}
{{- end }}

{{/*
Targets that open the object store (ALEXANDRIA_BLOB_URL), and those that
keep state on the pod's disk between requests (none: storage keeps
unfinished tus uploads in the object store, locked in the database, so any
pod takes any request of an upload). deploy/validate checks these lists
against the code.
*/}}
{{- define "alexandria.blobTargets" -}}
{{- list "storage" "processing" "all" | toJson }}
{{- end }}

{{- define "alexandria.podLocalTargets" -}}
{{- list | toJson }}
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
{{- $blobTargets := include "alexandria.blobTargets" . | fromJsonArray }}
{{- $usesBlob := false }}
{{- range $name, $_ := .Values.targets }}
{{- if has $name $blobTargets }}{{ $usesBlob = true }}{{ end }}
{{- end }}
{{- if and $usesBlob (not (include "alexandria.externalBlob" .)) }}
{{- fail "mode=microservices needs an object store storage and processing share: set blob.url (s3://bucket?region=..., gs://bucket, azblob://container) or existingSecret (key blob-url); the default is a directory inside one pod" }}
{{- end }}
{{- if hasPrefix "file:" .Values.blob.url }}
{{- fail "mode=microservices cannot use a file:// blob.url: storage and processing run in different pods; use s3://, gs:// or azblob://" }}
{{- end }}
{{- $podLocal := include "alexandria.podLocalTargets" . | fromJsonArray }}
{{- range $name, $t := .Values.targets }}
{{- if has $name $podLocal }}
{{- $w := mergeOverwrite (deepCopy $.Values.defaults) (deepCopy $t) }}
{{- if or (gt (int $w.replicas) 1) $w.autoscaling.enabled }}
{{- fail (printf "targets.%s runs exactly one replica: it keeps unfinished tus uploads on the pod's disk, and every request of an upload must reach that pod. Set targets.%s.replicas=1 and targets.%s.autoscaling.enabled=false" $name $name $name) }}
{{- end }}
{{- end }}
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
{{- $m := mergeOverwrite (deepCopy .Values.defaults) (deepCopy .Values.monolith) }}
{{- if and (or (gt (int $m.replicas) 1) $m.autoscaling.enabled) (not (include "alexandria.externalBlob" .)) }}
{{- fail "mode=monolith with more than one replica needs an object store the pods share: set blob.url (s3://, gs://, azblob://), or monolith.replicas=1 and monolith.autoscaling.enabled=false" }}
{{- end }}
{{- if and (not (include "alexandria.externalBlob" .)) (not .Values.persistence.enabled) }}
{{- fail "mode=monolith without blob.url keeps uploaded files in /data: set persistence.enabled=true (a PersistentVolumeClaim), or set blob.url (s3://, gs://, azblob://)" }}
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
{{- /* It runs processing too: the image with ffmpeg and poppler-utils. */}}
{{- $_ = set $w "image" "media" }}
{{- $stable = append $stable $w }}
{{- else }}
{{- range $name, $t := .Values.targets }}
{{- $w := mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy $t) }}
{{- $_ := set $w "component" $name }}
{{- $_ = set $w "target" $name }}
{{- $stable = append $stable $w }}
{{- end }}
{{- end }}
{{- $i := $root.Values.image }}
{{- $tag := default $root.Chart.AppVersion $i.tag }}
{{- $out := list }}
{{- range $w := $stable }}
{{- $media := eq (toString $w.image) "media" }}
{{- $_ := set $w "track" "stable" }}
{{- $_ = set $w "tag" (ternary (default $tag $i.mediaTag) $tag $media) }}
{{- $_ = set $w "repository" (ternary $i.mediaRepository $i.repository $media) }}
{{- $_ = set $w "name" (printf "%s-%s" (include "alexandria.fullname" $root) $w.component) }}
{{- $out = append $out $w }}
{{- if $root.Values.canary.enabled }}
{{- $c := deepCopy $w }}
{{- $_ = set $c "track" "canary" }}
{{- $_ = set $c "tag" (ternary (default $root.Values.canary.image.tag $root.Values.canary.image.mediaTag) $root.Values.canary.image.tag $media) }}
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
{{- printf "%s:%s" (default .root.Values.image.repository .repository) .tag }}
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
- name: ALEXANDRIA_HTTP_OPS_ADDR
  value: ":9090"
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
{{- /*
Shared by every pod: storage presents it to catalog (signed links to
drafts). A monolith calls itself, so it may go without (random per process).
*/}}
{{- if ne .target "migrate" }}
- name: ALEXANDRIA_SERVICE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: service-key
      optional: {{ eq $v.mode "monolith" }}
{{- end }}
{{- if and (eq $v.mode "microservices") (eq .target "storage") }}
- name: ALEXANDRIA_STORAGE_CATALOG_URL
  value: {{ printf "http://%s-catalog:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
{{- end }}
{{- if and (eq $v.mode "microservices") (eq .target "search") }}
- name: ALEXANDRIA_SEARCH_STORAGE_URL
  value: {{ printf "http://%s-storage:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
{{- end }}
{{- if has .target (list "notify" "all") }}
- name: ALEXANDRIA_NOTIFY_SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: notify-smtp-url
      optional: true
- name: ALEXANDRIA_NOTIFY_UNSUBSCRIBE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: notify-unsubscribe-key
      optional: true
- name: ALEXANDRIA_NOTIFY_MAIL_FROM
  value: {{ $v.notify.mailFrom | quote }}
{{- if $v.notify.vapidPublicKey }}
- name: ALEXANDRIA_NOTIFY_VAPID_PUBLIC_KEY
  value: {{ $v.notify.vapidPublicKey | quote }}
- name: ALEXANDRIA_NOTIFY_VAPID_SUBJECT
  value: {{ $v.notify.vapidSubject | quote }}
- name: ALEXANDRIA_NOTIFY_VAPID_PRIVATE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: notify-vapid-private-key
{{- end }}
{{- with $v.notify.mobilePush }}
- name: ALEXANDRIA_NOTIFY_MOBILE_PUSH
  value: {{ . | quote }}
- name: ALEXANDRIA_NOTIFY_FCM_PROJECT_ID
  value: {{ $v.notify.fcmProjectID | quote }}
- name: ALEXANDRIA_NOTIFY_SNS_REGION
  value: {{ $v.notify.snsRegion | quote }}
- name: ALEXANDRIA_NOTIFY_SNS_PLATFORM_APPLICATION_ARN
  value: {{ $v.notify.snsPlatformApplicationARN | quote }}
{{- end }}
{{- with $v.notify.sesRegion }}
- name: ALEXANDRIA_NOTIFY_SES_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $v.notify.webhookAllow }}
- name: ALEXANDRIA_NOTIFY_WEBHOOK_ALLOW
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if and (eq $v.mode "microservices") (eq .target "engagement") }}
- name: ALEXANDRIA_ENGAGEMENT_CATALOG_URL
  value: {{ printf "http://%s-catalog:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
{{- end }}
{{- if and (has .target (list "engagement" "all")) (or $v.mqtt.url $v.existingSecret) }}
- name: ALEXANDRIA_MQTT_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: mqtt-url
      optional: true
{{- end }}
{{- if and (has .target (list "storage" "all")) $v.config.publicURL }}
- name: ALEXANDRIA_STORAGE_PUBLIC_URL
  value: {{ $v.config.publicURL | quote }}
{{- end }}
{{- if and (eq $v.mode "microservices") (eq .target "feeds") }}
- name: ALEXANDRIA_FEEDS_CONTENT_URL
  value: {{ printf "http://%s-storage:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
- name: ALEXANDRIA_FEEDS_ENGAGEMENT_URL
  value: {{ printf "http://%s-engagement:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
- name: ALEXANDRIA_FEEDS_ANALYTICS_URL
  value: {{ printf "http://%s-analytics:%d" (include "alexandria.fullname" .root) (int $v.service.port) | quote }}
{{- end }}
{{- if and (has .target (list "feeds" "all")) $v.config.publicURL }}
- name: ALEXANDRIA_FEEDS_PUBLIC_URL
  value: {{ $v.config.publicURL | quote }}
{{- end }}
{{- /*
Object store: the URL from the Secret (key blob-url; it may carry
credentials), S3 credentials as the standard AWS SDK variables. Only the
targets that open the store get them.
*/}}
{{- if has .target (include "alexandria.blobTargets" .root | fromJsonArray) }}
{{- if include "alexandria.externalBlob" .root }}
- name: ALEXANDRIA_BLOB_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: blob-url
      optional: {{ eq $v.mode "monolith" }}
{{- end }}
- name: ALEXANDRIA_BLOB_PRESIGN_DOWNLOADS
  value: {{ $v.blob.presignDownloads | quote }}
{{- if or $v.blob.accessKeyID $v.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: s3-access-key-id
      optional: true
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "alexandria.secretName" .root }}
      key: s3-secret-access-key
      optional: true
{{- end }}
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
