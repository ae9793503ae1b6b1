# Lambda build rules, included by the root Makefile.
#
#   make build              every functions/<name> to .build/<name>/bootstrap
#   make build-ApiFunction  what `sam build` runs for a function with
#                           Metadata: BuildMethod: makefile; copies the
#                           bootstrap into $(ARTIFACTS_DIR)
#   make layer, make image  the ffmpeg layer (infra/layer.mk) and the
#                           seeder's container image (infra/image.mk)
#
# A function's template LogicalID is its folder name in CamelCase plus
# "Function" (functions/api is ApiFunction; a hyphenated folder like
# functions/web-seed would be WebSeedFunction). shared/topology's template
# test holds every function to that, so a new function needs only its
# folder and its topology and template entries.

# Keep the including Makefile's default goal (these rules come first there).
lambda_default_goal := $(.DEFAULT_GOAL)

GO ?= go
BUILD_DIR ?= .build
LAMBDA_FUNCTIONS := $(patsubst functions/%/,%,$(wildcard functions/*/))
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'

lambda_lower = $(shell printf '%s' '$(1)' | tr '[:upper:]' '[:lower:]')
# lambda_dir maps a LogicalID stem (Api, WebSeed) to its folder (api, web-seed).
lambda_dir = $(firstword $(foreach f,$(LAMBDA_FUNCTIONS),$(if $(filter $(call lambda_lower,$(1)),$(subst -,,$(f))),$(f))))

# lambda_build compiles functions/$(1) to $(BUILD_DIR)/$(1)/bootstrap.
lambda_build = mkdir -p $(BUILD_DIR)/$(1) && \
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/$(1)/bootstrap ./functions/$(1)

.PHONY: build lambda-force
lambda-force: ;

build: $(LAMBDA_FUNCTIONS:%=$(BUILD_DIR)/%/bootstrap)

# Always handed to go build, whose cache knows better than file times what
# changed across packages.
$(BUILD_DIR)/%/bootstrap: lambda-force
	$(call lambda_build,$*)

build-%Function: lambda-force
	$(if $(call lambda_dir,$*),,$(error no folder under functions/ for $*Function))
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set; sam build sets it))
	$(call lambda_build,$(call lambda_dir,$*))
	mkdir -p "$(ARTIFACTS_DIR)"
	cp $(BUILD_DIR)/$(call lambda_dir,$*)/bootstrap "$(ARTIFACTS_DIR)/bootstrap"
	$(lambda_files_$*)

# Files a function's artifact carries beside its bootstrap, by LogicalID
# stem. The federation function serves the watch and embed pages' player,
# whose webtorrent browser bundle and service worker (installed by
# `make web-assets`, infra/web.mk) go to player/ beside the bootstrap:
# Lambda unpacks the artifact under /var/task, and template.yaml sets
# WEB_ASSETS_DIR=/var/task/player.
lambda_player_files := webtorrent.min.js sw.min.js
lambda_files_Federation = mkdir -p "$(ARTIFACTS_DIR)/player" && \
	cp $(addprefix $(WEB_PREFIX)/node_modules/webtorrent/dist/,$(lambda_player_files)) "$(ARTIFACTS_DIR)/player/"
build-FederationFunction: web-assets

# The ffmpeg layer and the seeder's container image have rules of their own.
include infra/layer.mk infra/image.mk

ifeq ($(firstword $(MAKEFILE_LIST)),infra/build.mk)
# Alone (make -f infra/build.mk), it needs web-assets itself; the root
# Makefile includes infra/web.mk.
include infra/web.mk
.DEFAULT_GOAL := build
else
.DEFAULT_GOAL := $(lambda_default_goal)
endif
