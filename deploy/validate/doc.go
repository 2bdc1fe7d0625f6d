// Package validate checks the deployment files under deploy/ offline, without
// Docker or a cluster: the Helm chart's renders decoded strictly into the
// Kubernetes API types, the Compose file through the Compose specification
// loader, the Dockerfile's shape, the Prometheus rules with promtool, and the
// Grafana dashboards against the metrics the code exports.
//
// It is its own module so the main module carries no Kubernetes or Compose
// dependencies. Run it with `make deploy-check` from the repository root.
package validate
