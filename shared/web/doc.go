// Package web serves the pages people watch videos on: the watch page
// (/videos/watch/{uuid}, the HTML side of the URL that serves a video's
// ActivityPub object to servers), the embed page (/videos/embed/{uuid})
// and the player's files under /player/.
//
// The player (static/player.js) reads the video from the REST API
// (GET /api/v1/videos/{uuid}, PeerTube's JSON) and plays it through
// WebTorrent in the browser, peers first: its client starts without web
// seeds and with one web connection at most, and adds the file's URL as a
// web seed only when no peer has answered within two seconds, when
// playback has not started after four, when the data held ahead of the
// playhead falls under five seconds, or when playback stalls; it drops
// the web seed again once peers hold twenty seconds ahead. Bytes reach
// the video element through webtorrent's service worker, registered with
// the scope /videos/ so it controls both pages. Without WebRTC, service
// workers or a secure context, or when the P2P path fails, it plays the
// file over plain HTTP (HLS where the browser plays it natively). A small
// indicator shows the peers and the bytes from peers and from the server;
// like PeerTube's player it reports watching to
// POST /api/v1/videos/{uuid}/views on play, every
// views.videos.watchingInterval.anonymous milliseconds of /api/v1/config
// while the position moves, after seeks (viewEvent "seek") and at the end.
//
// Query parameters of both pages:
//
//   - p2p=0: plain HTTP playback, no WebTorrent (PeerTube's embed name).
//   - webseed=0: never take video bytes from the server, neither as a
//     web seed nor as a fallback: peers only. For tests and measurements.
//   - autoplay=0|1 (the watch page autoplays, the embed does not),
//     muted=1, start=SECONDS, resolution=HEIGHT (the largest file at or
//     under it; 720 by default).
//
// The player's state is window.vidiverse (mode, peers, fromPeers,
// fromServer, webSeed, viewsSent, viewStatus, error, …): the indicator
// reads it and browser tests poll it.
//
// webtorrent's browser bundle and service worker (npm webtorrent 3.0.21,
// dist/webtorrent.min.js and dist/sw.min.js) are served from
// Config.AssetsDir; without them the pages still play, over HTTP.
// Subpackage browsertest drives headless Chromium for the tests.
package web
