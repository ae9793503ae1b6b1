# The watch and embed pages' player files and the browser tests' tools,
# included by the root Makefile.
#
#   make web-assets     webtorrent's browser bundle and service worker
#                       (npm, into .cache/web); make run needs them
#   make web-test-deps  Debian's chromium and playwright-core (npm), which
#                       the browser tests drive; make test needs them
#
# Everything is installed only when missing. The variables below are
# exported to every recipe, so make run's instance and make test's tests
# find the files without further setup:
#   WEB_ASSETS_DIR   webtorrent's dist/ (webtorrent.min.js, sw.min.js),
#                    served by shared/web under /player/
#   WEB_NODE_MODULES the node_modules holding playwright-core (and the
#                    webtorrent packages the P2P browser tests use)
#   CHROMIUM         the browser the tests launch
# playwright-core is pinned to the release built for the Chromium major
# Debian ships (1.64.1: Chromium 156).

# Keep the including Makefile's default goal (these rules come first there).
web_default_goal := $(.DEFAULT_GOAL)

WEB_PREFIX := $(CURDIR)/.cache/web
WEBTORRENT_VERSION := 3.0.21
PLAYWRIGHT_CORE_VERSION := 1.64.1

export WEB_ASSETS_DIR ?= $(WEB_PREFIX)/node_modules/webtorrent/dist
export WEB_NODE_MODULES ?= $(WEB_PREFIX)/node_modules
export CHROMIUM ?= /usr/bin/chromium

# apt-get as root, else through sudo.
web_sudo := $(if $(filter 0,$(shell id -u)),,sudo)
web_apt_install = $(web_sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends
web_npm_install = npm install --prefix $(WEB_PREFIX) --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error

.PHONY: web-assets web-test-deps

# Each install runs only when the pinned version is not the one in place.
# --ignore-scripts: a dependency's install script (ip-set) calls pnpm, and
# the browser bundle needs no build step; playwright-core downloads no
# browser either way (the tests use Debian's chromium).
web-assets:
	@grep -qs '"version": "$(WEBTORRENT_VERSION)"' $(WEB_PREFIX)/node_modules/webtorrent/package.json || { \
		echo "Installing webtorrent@$(WEBTORRENT_VERSION) into $(WEB_PREFIX)…"; mkdir -p $(WEB_PREFIX) && \
		$(web_npm_install) webtorrent@$(WEBTORRENT_VERSION); }

web-test-deps: web-assets
	@grep -qs '"version": "$(PLAYWRIGHT_CORE_VERSION)"' $(WEB_PREFIX)/node_modules/playwright-core/package.json || { \
		echo "Installing playwright-core@$(PLAYWRIGHT_CORE_VERSION) into $(WEB_PREFIX)…"; \
		$(web_npm_install) playwright-core@$(PLAYWRIGHT_CORE_VERSION); }
	@[ -x "$(CHROMIUM)" ] || { echo "Installing chromium from Debian…"; \
		$(web_apt_install) chromium || { $(web_sudo) apt-get update && $(web_apt_install) chromium; }; }

# The instance serves the player's files; the tests drive Chromium.
run: web-assets
test-deps: web-test-deps

.DEFAULT_GOAL := $(web_default_goal)
