# Alexandria — the project's vocabulary. `make help` lists the targets.
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
LINT      := $(BIN)/golangci-lint
WEB_DIST  := internal/web/dist
BIN_NAME  ?= alexandria

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: $(WEB_DIST)/index.html build ## start the whole platform on embedded defaults (SQLite, ./data) at http://localhost:8080
	$(BIN)/alexandria serve

# The same static binary as deploy/Dockerfile builds (CGO off, -trimpath).
# TAGS picks the backends linked in: empty is every bus transport and blob
# store; `lean` leaves the brokers and clouds out (internal/app/backends).
TAGS      ?=
GOBUILD   := CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)'

.PHONY: build
build: ## build bin/alexandria: static, every bus transport and blob store (as the image)
	$(GOBUILD) -o $(BIN)/$(BIN_NAME) ./cmd/alexandria

.PHONY: build-lean
build-lean: ## build bin/alexandria-lean: embedded bus, local blobs, SQLite and PostgreSQL only
	$(MAKE) --no-print-directory build TAGS=lean BIN_NAME=alexandria-lean

# Packages with goroutines of their own run under the race detector (it
# needs cgo: gcc); the rest run once without it.
RACE_PKGS := ./internal/platform/bus/... ./internal/platform/events/... ./internal/app/...

.PHONY: test
test: ## run every test: unit, store contracts (SQLite and PostgreSQL), bus contracts, components, end-to-end
	$(GO) test -count=1 -timeout 20m $$($(GO) list ./... | grep -v -e /internal/platform/bus -e /internal/platform/events -e /internal/app)
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m $(RACE_PKGS)

.PHONY: test-short
test-short: ## unit and component tests only (no end-to-end, no MinIO): under 2 minutes
	$(GO) test -short -count=1 ./...

# Debian's interpreter: python3-pandas, python3-sklearn, python3-pytest live there.
PYTHON ?= /usr/bin/python3

.PHONY: analytics-test
analytics-test: ## analytics' Python: the related-items job and the Airflow DAG (pytest; the DAG is py_compile-checked)
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest -q -p no:cacheprovider analytics/python/tests deploy/airflow/dags/tests

.PHONY: peers
peers: ## build the test peers (MinIO, goaws) and install the npm ones (Azurite) once into the cache outside the repo (internal/platform/peers)
	$(GO) run ./internal/platform/peers/build

# Go native fuzz targets of every decoder of outside input (JSON bodies,
# query strings, page tokens, tus metadata, Range headers, the sniffers, the
# EPUB/zip reader, configuration files, bus envelopes), each for FUZZTIME with
# FUZZ_PARALLEL workers; test/fuzz/run.sh builds each package's
# instrumented test binary once and runs every target from it (no relink
# per target), kills a target that hangs, and fails when the fuzzing phase
# would exceed FUZZ_BUDGET seconds. .ci/run runs it as a gate: a finding
# fails the run. Their seed corpora (f.Add and testdata/fuzz/) also run with
# every `go test`; a crasher found here is written to the package's
# testdata/fuzz/<Target>/ and becomes a regular test once committed.
# docs/reliability.md ("Fuzzing").
FUZZTIME ?= 6s
FUZZ_PARALLEL ?= 2
FUZZ_BUDGET ?= 240
FUZZ_TARGETS := \
	./internal/platform/httpx:FuzzJSONBody ./internal/platform/httpx:FuzzQueryString \
	./internal/platform/httpx:FuzzPageToken ./internal/catalog:FuzzPagePosition \
	./internal/catalog:FuzzMediaEventPayload ./internal/search:FuzzSearchPageToken \
	./internal/notify:FuzzUnsubscribeToken ./internal/storage:FuzzRange ./internal/storage:FuzzSniff \
	./internal/storage:FuzzSanitizeFilename ./internal/storage:FuzzTusMetadata \
	./internal/processing:FuzzReadEPUB ./internal/platform/zipguard:FuzzCheck \
	./internal/config:FuzzLoad ./internal/platform/bus:FuzzEnvelope

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME (default 6s, 2 workers; fuzzing phase bounded by FUZZ_BUDGET=240s)
	GO='$(GO)' FUZZTIME='$(FUZZTIME)' FUZZ_PARALLEL='$(FUZZ_PARALLEL)' FUZZ_BUDGET='$(FUZZ_BUDGET)' \
		sh test/fuzz/run.sh $(FUZZ_TARGETS)

.PHONY: e2e
e2e: ## end-to-end tests only: the real binary on SQLite and PostgreSQL
	$(GO) test -count=1 -v ./test/e2e/...

.PHONY: bench
bench: ## benchmarks, reported as ratios to a plain net/http baseline
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./bench/...

# Load and soak with Locust (Debian's python3-locust): bench/locust/run.sh
# starts a fresh platform, runs bench/locust/locustfile.py headless, prints
# Locust's statistics and fails on any request error or on any 5xx counted
# in /metrics. LOAD_USERS, LOAD_SPAWN_RATE, LOAD_DURATION, LOAD_DB
# (sqlite|postgres) tune it; docs/reliability.md ("Load", "Soak").
SOAK_DURATION ?= 1h

.PHONY: load
load: build ## Locust mix headless: all-in-one (LOAD_DB=sqlite|postgres), then split mode behind nginx; fails on any error or 5xx
	LOAD_MODE=single bench/locust/run.sh
	LOAD_MODE=split bench/locust/run.sh

.PHONY: load-ci
load-ci: ## short Locust run for CI (about a minute, all-in-one on SQLite); fails on any error or 5xx
	$(GO) build -o $(BIN)/alexandria-load ./cmd/alexandria # plain build: reuses the test builds' cache
	ALEXANDRIA_BIN=$(BIN)/alexandria-load LOAD_MODE=single LOAD_DB=sqlite LOAD_USERS=$${LOAD_USERS:-15} LOAD_SPAWN_RATE=5 LOAD_DURATION=45s bench/locust/run.sh

.PHONY: load-chaos
load-chaos: build ## split mode under Locust with the broker stopped 30 s mid-run; fails on any error, 5xx, events left or lost (not in CI)
	LOAD_MODE=split LOAD_CHAOS=broker LOAD_DURATION=$${LOAD_DURATION:-90s} bench/locust/run.sh

.PHONY: soak
soak: build ## Locust mix for SOAK_DURATION (1h): RSS, goroutines, open files, DB connections every 30 s, growth flagged
	SOAK_DURATION=$(SOAK_DURATION) bench/locust/run.sh

.PHONY: lint
lint: $(LINT) ## golangci-lint and the generated-docs check
	$(LINT) run ./...
	@$(MAKE) --no-print-directory check-docs

.PHONY: docs
docs: ## regenerate docs/configuration-reference.md, docs/events.md and api/events from the code
	$(GO) run ./cmd/alexandria config -reference > docs/configuration-reference.md
	$(GO) run ./cmd/alexandria events catalogue -out .

.PHONY: check-docs
check-docs: ## fail when generated docs are out of date
	@$(GO) run ./cmd/alexandria config -reference | diff -u docs/configuration-reference.md - \
		|| (echo "docs/configuration-reference.md is stale: run 'make docs'"; exit 1)

.PHONY: fmt
fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

$(LINT): tools/go.mod
	cd tools && $(GO) build -o ../$(LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

# --- The web app (web/) ------------------------------------------------------
# Vite builds web/ into web/dist; the build (with brotli copies) is copied into
# internal/web/dist, which the binary embeds. Only a placeholder is committed
# there, so `make build` works without Node.js and serves a page saying how to
# build the app. `make run` rebuilds it when missing or older than its sources.
WEB_SRC  := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json -type f 2>/dev/null)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

define build-web
	cd web && npm run build && node scripts/compress.mjs dist
	find $(WEB_DIST) -mindepth 1 ! -name PLACEHOLDER.md -delete
	cp -R web/dist/. $(WEB_DIST)/
endef

.PHONY: web
web: web/node_modules/.package-lock.json ## build the web app into internal/web/dist (needs Node.js 20.19+ and npm)
	$(build-web)

$(WEB_DIST)/index.html: $(WEB_SRC)
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory web; \
	else \
		echo "npm not found: building without the web app (/ explains how to add it)"; \
	fi

.PHONY: web-test
web-test: web/node_modules/.package-lock.json ## web app: type check, Vitest component tests, browser end-to-end (Chromium)
	cd web && npx tsc -b && npm test
	$(MAKE) --no-print-directory web
	cd web && npm run e2e

.PHONY: clean
clean: ## remove build output (not ./data)
	rm -rf $(BIN)

# --- Deployment files (deploy/) ----------------------------------------------
# helm is built from the Go proxy (tools/helm); the version and the Kubernetes
# version helm assumes offline (client-go v0.37 -> 1.37) are set as upstream's
# Makefile does. deploy/validate is its own module, so the main module carries
# no Kubernetes dependencies.
HELM        := $(BIN)/helm
HELM_VER    := v3.22.0
HELM_KUBE   := 37
CHART       := deploy/helm/alexandria
HELM_LDFLAGS := -s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VER) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(HELM_KUBE) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(HELM_KUBE)

$(HELM): tools/helm/go.mod
	cd tools/helm && $(GO) build -ldflags '$(HELM_LDFLAGS)' -o ../../$(HELM) helm.sh/helm/v3/cmd/helm

.PHONY: deploy-check
deploy-check: $(HELM) ## lint the chart; validate chart renders, compose, Dockerfile, rules, runbooks, alertmanager and dashboards (deploy/validate)
	@for f in deploy/validate/testdata/*.yaml; do \
		echo "helm lint --strict -f $$f"; $(HELM) lint --strict --quiet $(CHART) -f $$f || exit 1; done
	cd deploy/validate && HELM=$(CURDIR)/$(HELM) $(GO) test -count=1 ./...

.PHONY: helm-template
helm-template: $(HELM) ## render the chart (microservices example values) to stdout
	@$(HELM) template alexandria $(CHART) -f deploy/validate/testdata/microservices.yaml
