// Command benchp2p measures where the bytes of a video come from when
// several viewers watch it in real browsers (make bench-p2p): the CDN
// (web seed and HTTP fallback), the instance's WebRTC seed, or the other
// viewers.
//
// It starts the local instance (the binary of make run) behind a small
// reverse proxy that plays the CDN: the instance's PUBLIC_URL points at
// it, so the watch page, the API, the tracker's WebSocket and the media
// paths (/static/, /lazy-static/) all go through it; it adds a fixed
// latency to every media request and counts the bytes of media
// responses. It uploads one test clip, then for each viewer count N
// opens N headless Chromium viewers (Debian's chromium driven through
// playwright-core by viewers.mjs, each in a browser context of its own),
// arriving one every stagger, each watching at playback speed for a
// fixed time and leaving. Bytes are counted where they are served: the
// proxy (CDN), the seed's counter at /seeder/metrics (seeder), and each
// viewer's bytes from peers minus what the seed served (viewers). Time to
// first frame is the page's own clock (performance.now() at the video's
// first "playing" event, from the navigation's start); stalls are the
// "waiting" events after that, with the time until playback resumed.
//
// These are benchmarks, not tests: a missed goal is reported, never a
// failure.
package main
