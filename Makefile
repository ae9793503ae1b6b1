# Vidiverse: a serverless, federated video platform compatible with PeerTube.
#
#   make run     one complete local instance (PORT, PUBLIC_URL, DATA_DIR, ADMIN_PASSWORD)
#   make test    install what the tests need, then run them all
#   make bench   the benchmarks (transcoding, upload latency, API load, memory, federation)
#   make bench-p2p  where viewers' bytes come from, first frames and stalls (Chromium)
#   make lint    gofmt, go vet, staticcheck
#   make build   every Lambda function as a linux/arm64 bootstrap (see infra/build.mk)
#   make layer   the ffmpeg Lambda layer; make image: the seeder's image (ko)
#
# Everything this Makefile installs goes under .cache/ and is installed only
# when missing, so every target can run on a fresh clone.

SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go
CACHE := $(CURDIR)/.cache
NPM_PREFIX := $(CACHE)/npm
PEERTUBE_CLI := $(NPM_PREFIX)/node_modules/.bin/peertube-cli
PEERTUBE_CLI_VERSION := 1.0.3
STATICCHECK := $(CACHE)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2

include infra/build.mk
include infra/bench.mk
include infra/web.mk

.PHONY: run test test-deps lint help system-deps

# SUDO is empty when already root (CI containers, this machine).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the instance and its tests use, installed when missing.
system-deps:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || { \
		echo "Installing ffmpeg from Debian…"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
		|| { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg; }; }

help:
	@sed -n '3,8p' Makefile | sed 's/^# //'

## run: start one complete instance in the foreground on the embedded engines.
run: system-deps
	@mkdir -p $(BUILD_DIR)
	@echo "Building the local instance…"
	$(GO) build -o $(BUILD_DIR)/vidiverse-local ./infra/local
	@exec $(BUILD_DIR)/vidiverse-local

## test: install test dependencies, then run every test (race detector on).
test: test-deps lint
	PEERTUBE_CLI=$(PEERTUBE_CLI) $(GO) test -race -count=1 -timeout 15m ./...

test-deps: system-deps $(PEERTUBE_CLI)

# PeerTube's official CLI, used unchanged against a running instance.
$(PEERTUBE_CLI):
	@echo "Installing @peertube/peertube-cli@$(PEERTUBE_CLI_VERSION) into $(NPM_PREFIX)…"
	npm install --prefix $(NPM_PREFIX) --no-audit --no-fund --loglevel=error @peertube/peertube-cli@$(PEERTUBE_CLI_VERSION)

$(STATICCHECK):
	@echo "Installing staticcheck $(STATICCHECK_VERSION)…"
	GOBIN=$(CACHE)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## lint: formatting, vet and staticcheck must all be clean.
lint: $(STATICCHECK)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
