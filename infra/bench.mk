# Benchmarks, included by the root Makefile.
#
#   make bench                 every figure of issue 3, printed as one table
#   make bench BENCH_FLAGS=-h  the knobs (input length, connections, …)
#
# The bench starts its own local instances (the binary make run builds) on
# free ports with temporary data directories and stops them on exit. It
# needs ffmpeg and wrk, which are installed with apt-get when missing.

# Keep the including Makefile's default goal (these rules come first there).
bench_default_goal := $(.DEFAULT_GOAL)

GO ?= go
BUILD_DIR ?= .build
BENCH_FLAGS ?=
# apt-get as root, else through sudo.
bench_sudo := $(if $(filter 0,$(shell id -u)),,sudo)
bench_apt = $(bench_sudo) apt-get
bench_apt_install = $(bench_sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y

.PHONY: bench bench-deps

## bench: transcoding, upload, API, memory and federation figures against baselines (8 to 10 minutes on 2 cores).
bench: bench-deps
	@mkdir -p $(BUILD_DIR)
	$(GO) build -o $(BUILD_DIR)/vidiverse-local ./infra/local
	$(GO) run ./infra/bench -local $(BUILD_DIR)/vidiverse-local $(BENCH_FLAGS)

bench-deps:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
		{ echo "Installing ffmpeg…"; $(bench_apt_install) --no-install-recommends ffmpeg || \
		{ $(bench_apt) update && $(bench_apt_install) --no-install-recommends ffmpeg; }; }
	@command -v wrk >/dev/null || \
		{ echo "Installing wrk…"; $(bench_apt_install) --no-install-recommends wrk || \
		{ $(bench_apt) update && $(bench_apt_install) --no-install-recommends wrk; }; }

.DEFAULT_GOAL := $(bench_default_goal)
