# Benchmarks, included by the root Makefile.
#
#   make bench                 every figure of issue 3, printed as one table
#   make bench BENCH_FLAGS=-h  the knobs (input length, connections, …)
#   make bench-p2p             where viewers' bytes come from (CDN, seed,
#                              other viewers), first frame and stalls, for
#                              1, 3, 6 and 10 headless Chromium viewers
#   make bench-p2p BENCH_P2P_FLAGS=-h  its knobs (viewers, clip, watch
#                              time, stagger, CDN latency, seed cap)
#
# The benches start their own local instances (the binary make run builds)
# on free ports with temporary data directories and stop them on exit.
# bench needs ffmpeg and wrk, bench-p2p ffmpeg and web.mk's browser tools
# (Debian chromium, playwright-core, webtorrent); all are installed when
# missing.

# Keep the including Makefile's default goal (these rules come first there).
bench_default_goal := $(.DEFAULT_GOAL)

GO ?= go
BUILD_DIR ?= .build
BENCH_FLAGS ?=
BENCH_P2P_FLAGS ?=
# apt-get as root, else through sudo.
bench_sudo := $(if $(filter 0,$(shell id -u)),,sudo)
bench_apt = $(bench_sudo) apt-get
bench_apt_install = $(bench_sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y

.PHONY: bench bench-deps bench-p2p bench-ffmpeg

## bench: transcoding, upload, API, memory and federation figures against baselines (8 to 10 minutes on 2 cores).
bench: bench-deps
	@mkdir -p $(BUILD_DIR)
	$(GO) build -o $(BUILD_DIR)/vidiverse-local ./infra/local
	$(GO) run ./infra/bench -local $(BUILD_DIR)/vidiverse-local $(BENCH_FLAGS)

## bench-p2p: bytes by source, first frame and stalls for 1, 3, 6 and 10 Chromium viewers of one video (about 5 minutes on 2 cores).
bench-p2p: bench-ffmpeg web-test-deps
	@mkdir -p $(BUILD_DIR)
	$(GO) build -o $(BUILD_DIR)/vidiverse-local ./infra/local
	$(GO) run ./infra/benchp2p -local $(BUILD_DIR)/vidiverse-local $(BENCH_P2P_FLAGS)

bench-deps: bench-ffmpeg
	@command -v wrk >/dev/null || \
		{ echo "Installing wrk…"; $(bench_apt_install) --no-install-recommends wrk || \
		{ $(bench_apt) update && $(bench_apt_install) --no-install-recommends wrk; }; }

bench-ffmpeg:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
		{ echo "Installing ffmpeg…"; $(bench_apt_install) --no-install-recommends ffmpeg || \
		{ $(bench_apt) update && $(bench_apt_install) --no-install-recommends ffmpeg; }; }

.DEFAULT_GOAL := $(bench_default_goal)
