# The ffmpeg Lambda layer, included by infra/build.mk.
#
#   make layer               .build/ffmpeg-layer/bin/{ffmpeg,ffprobe} and
#                            .build/ffmpeg-layer.zip (for a manual
#                            `aws lambda publish-layer-version`)
#   make layer-check         run both binaries (under qemu-user on an x86
#                            machine) and encode a 2 s test clip to fMP4 HLS
#   make build-FfmpegLayer   what `sam build` runs for the template's
#                            FfmpegLayer (Metadata: BuildMethod: makefile)
#
# Where the binaries come from: static linux/arm64 builds by John Van
# Sickle (johnvansickle.com/ffmpeg, GPLv3), as republished inside two npm
# packages. Nothing is downloaded from anywhere but the npm registry, no
# install script runs (`npm pack` only fetches the tarball), and each
# binary is checked against the SHA-256 recorded here before it is used:
#
#   @ffmpeg-installer/linux-arm64 4.1.4   ffmpeg N-49006-gd81913e680 (git
#       snapshot of 2019-06-05, between 4.1 and 4.2): libx264, libx265,
#       libvpx, libopus, libmp3lame, aac, mjpeg, png; hls muxer with fmp4
#       segments and single_file
#   @ffprobe-installer/linux-arm64 5.2.0  ffprobe N-66595-gc2b38619c0 (git
#       snapshot of 2023-07-21, 6.1 development line)
#
# Both are statically linked aarch64 ELF executables; the binaries inside
# the tarballs are the whole of what the layer ships (in bin/, which Lambda
# mounts at /opt/bin). To move to newer builds, change the package, version
# and hash together, then run `make layer-check`.

FFMPEG_NPM := @ffmpeg-installer/linux-arm64@4.1.4
FFMPEG_SHA256 := 115a825e246078acf820ea2afcaf1b3ff87f1b93f7035ecad38d3223cca55297
FFPROBE_NPM := @ffprobe-installer/linux-arm64@5.2.0
FFPROBE_SHA256 := 9b63a1715f87c0c476dacf237a4adcb0bf26de29854b137dae4e79f69a98b624

BUILD_DIR ?= .build
LAYER_CACHE ?= $(CURDIR)/.cache/ffmpeg-layer
LAYER_DIR := $(BUILD_DIR)/ffmpeg-layer
LAYER_ZIP := $(BUILD_DIR)/ffmpeg-layer.zip
LAYER_BINS := $(LAYER_DIR)/bin/ffmpeg $(LAYER_DIR)/bin/ffprobe
# Runs an aarch64 binary: directly on arm64, through qemu-user elsewhere
# (Debian: apt-get install qemu-user-static).
LAYER_RUN ?= $(if $(filter aarch64 arm64,$(shell uname -m)),,qemu-aarch64-static)

.PHONY: layer layer-check build-FfmpegLayer

layer: $(LAYER_ZIP)

# layer_fetch(npm spec, file in the package, sha256, output): fetch the
# tarball with `npm pack` (no scripts run), take one file out of it and
# install it only if its hash is the recorded one.
define layer_fetch
	@mkdir -p $(LAYER_CACHE) $(dir $(4))
	@tgz=$$(cd $(LAYER_CACHE) && npm pack --silent --ignore-scripts '$(1)' | tail -n 1) && \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	tar -xzf "$(LAYER_CACHE)/$$tgz" -C "$$tmp" 'package/$(2)' && \
	got=$$(sha256sum "$$tmp/package/$(2)" | cut -d' ' -f1) && \
	if [ "$$got" != '$(3)' ]; then \
		echo "$(1): $(2) has SHA-256 $$got, want $(3)" >&2; exit 1; \
	fi && \
	install -m 0755 "$$tmp/package/$(2)" '$(4)'
	@echo "$(4) <- $(1) (sha256 $(3))"
endef

# The hashes are part of the recipe: changing one in this file refetches.
$(LAYER_DIR)/bin/ffmpeg: infra/layer.mk
	$(call layer_fetch,$(FFMPEG_NPM),ffmpeg,$(FFMPEG_SHA256),$@)

$(LAYER_DIR)/bin/ffprobe: infra/layer.mk
	$(call layer_fetch,$(FFPROBE_NPM),ffprobe,$(FFPROBE_SHA256),$@)

# Staged with fixed file times and zipped with -X (no extra attributes), so
# the same binaries always make the same zip.
$(LAYER_ZIP): $(LAYER_BINS)
	@rm -f $@
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	mkdir "$$tmp/bin" && cp $(LAYER_BINS) "$$tmp/bin/" && chmod 0755 "$$tmp"/bin/* && \
	touch -d '1980-01-02 00:00:00 UTC' "$$tmp/bin" "$$tmp"/bin/* && \
	(cd "$$tmp" && TZ=UTC zip -q -X -r '$(abspath $@)' bin)
	@echo "$@: $$(du -h $@ | cut -f1) zipped, $$(du -ch $(LAYER_BINS) | tail -n 1 | cut -f1) unzipped"

layer-check: $(LAYER_BINS)
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffmpeg -hide_banner -version | head -n 1
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffprobe -hide_banner -version | head -n 1
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffmpeg -hide_banner -encoders | grep -E ' (libx264|aac|mjpeg) '
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffmpeg -hide_banner -muxers | grep -E ' (hls|mp4) '
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffmpeg -nostdin -hide_banner -loglevel error \
		-f lavfi -i testsrc=duration=2:size=640x360:rate=30 -f lavfi -i sine=frequency=440:duration=2 \
		-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -force_key_frames 'expr:gte(t,n_forced*1)' \
		-c:a aac -b:a 128k -f hls -hls_time 1 -hls_playlist_type vod \
		-hls_segment_type fmp4 -hls_flags single_file \
		-hls_segment_filename "$$tmp/360-fragmented.mp4" "$$tmp/360.m3u8" && \
	grep -q '^#EXT-X-MAP:URI="360-fragmented.mp4",BYTERANGE=' "$$tmp/360.m3u8" && \
	grep -q '^#EXT-X-ENDLIST' "$$tmp/360.m3u8" && \
	$(LAYER_RUN) $(LAYER_DIR)/bin/ffprobe -v error -show_entries stream=codec_name,profile \
		-of csv=p=0 "$$tmp/360-fragmented.mp4" | tee "$$tmp/streams" && \
	grep -q '^h264,High' "$$tmp/streams" && grep -q '^aac,LC' "$$tmp/streams" && \
	echo "layer-check: 2 s H.264/AAC fMP4 HLS (single_file) encoded and probed"

# sam build copies the layer's files into ARTIFACTS_DIR; Lambda mounts the
# layer at /opt, so these are /opt/bin/ffmpeg and /opt/bin/ffprobe.
build-FfmpegLayer: $(LAYER_BINS)
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set; sam build sets it))
	mkdir -p "$(ARTIFACTS_DIR)/bin"
	cp -p $(LAYER_BINS) "$(ARTIFACTS_DIR)/bin/"
