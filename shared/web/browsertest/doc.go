// Package browsertest runs the pages of shared/web in real headless
// Chromium for tests: a small Node program (driver.mjs) drives Debian's
// chromium through playwright-core, opens each viewer's tab in a browser
// context of its own, polls a condition in the page, and reports the
// player's state (window.vidiverse), console errors and the bytes each
// tab fetched by path. It can also run bittorrent-tracker's reference
// WebSocket tracker for P2P tests. make web-test-deps installs the tools;
// Find and Require locate them (CHROMIUM, WEB_NODE_MODULES,
// WEB_ASSETS_DIR).
package browsertest
