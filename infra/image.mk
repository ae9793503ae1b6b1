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
# ko pushes with the credentials of ~/.docker/config.json; for ECR:
#   aws ecr get-login-password | .cache/bin/ko-$(KO_VERSION) login \
#       --username AWS --password-stdin <account>.dkr.ecr.<region>.amazonaws.com
# The base image (KO_DEFAULTBASEIMAGE, ko's default cgr.dev/chainguard/static)
# is pulled from its registry at build time.

KO_VERSION := v0.18.1
KO ?= $(CURDIR)/.cache/bin/ko-$(KO_VERSION)
BUILD_DIR ?= .build
SEEDER_IMAGE_REF := $(BUILD_DIR)/seeder-image.txt

.PHONY: image

$(KO):
	@echo "Installing ko $(KO_VERSION)…"
	@mkdir -p $(dir $@)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	GOBIN="$$tmp" $(GO) install github.com/google/ko@$(KO_VERSION) && \
	mv "$$tmp/ko" $@

image: $(KO)
	$(if $(KO_DOCKER_REPO),,$(error KO_DOCKER_REPO is not set: the registry/repository to push the seeder image to))
	@mkdir -p $(BUILD_DIR)
	KO_DOCKER_REPO='$(KO_DOCKER_REPO)' $(KO) build --bare --platform=linux/arm64 --sbom=none \
		--image-refs $(SEEDER_IMAGE_REF) ./seeder
	@echo "ImageUri: $$(cat $(SEEDER_IMAGE_REF))"
