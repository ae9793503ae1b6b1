# The seeder's container image, included by infra/build.mk.
#
#   KO_DOCKER_REPO=<registry>/<repository> make image
#
# builds ./seeder for linux/arm64 with ko (no Docker engine needed: ko
# compiles the Go binary and layers it onto a small base image itself),
# pushes it to KO_DOCKER_REPO, and writes the pushed image's reference,
# pinned by digest, to .build/seeder-image.txt: that is the template's
# ImageUri parameter. --bare pushes to KO_DOCKER_REPO itself rather than to
# a repository named after the import path.
#
#   make image KO_PUSH=false
#
# builds the same image without a registry or credentials (a check in CI
# or before a deploy) into the OCI layout $(BUILD_DIR)/seeder-oci; ko
# still pulls the base image.
#
# The binary is built with -ldflags=-s (no symbol table or DWARF; stack
# traces keep their function names), which halves the layer ko adds.
#
# ko pushes with the credentials of ~/.docker/config.json; for ECR:
#   aws ecr get-login-password | .cache/bin/ko-$(KO_VERSION) login \
#       --username AWS --password-stdin <account>.dkr.ecr.<region>.amazonaws.com
# The base image (KO_DEFAULTBASEIMAGE, ko's default cgr.dev/chainguard/static)
# is pulled from its registry at build time.

KO_VERSION := v0.18.1
KO ?= $(CURDIR)/.cache/bin/ko-$(KO_VERSION)
BUILD_DIR ?= .build
SEEDER_IMAGE_REF := $(BUILD_DIR)/seeder-image.txt
SEEDER_OCI := $(BUILD_DIR)/seeder-oci
KO_PUSH ?= true
ko_build = GOFLAGS=-ldflags=-s $(KO) build --bare --platform=linux/arm64 --sbom=none

.PHONY: image

$(KO):
	@echo "Installing ko $(KO_VERSION)…"
	@mkdir -p $(dir $@)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	GOBIN="$$tmp" $(GO) install github.com/google/ko@$(KO_VERSION) && \
	mv "$$tmp/ko" $@

ifeq ($(KO_PUSH),false)
image: $(KO)
	@mkdir -p $(BUILD_DIR) && rm -rf $(SEEDER_OCI)
	$(ko_build) --push=false --oci-layout-path $(SEEDER_OCI) ./seeder
	@echo "Seeder image written to $(SEEDER_OCI) (not pushed)"
else
image: $(KO)
	$(if $(KO_DOCKER_REPO),,$(error KO_DOCKER_REPO is not set: the registry/repository to push the seeder image to))
	@mkdir -p $(BUILD_DIR)
	KO_DOCKER_REPO='$(KO_DOCKER_REPO)' $(ko_build) --image-refs $(SEEDER_IMAGE_REF) ./seeder
	@echo "ImageUri: $$(cat $(SEEDER_IMAGE_REF))"
endif
