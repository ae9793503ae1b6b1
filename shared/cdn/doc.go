// Package cdn serves public media objects from blob storage at their
// public paths, as CloudFront in front of the media bucket does in AWS:
// GET and HEAD with single byte ranges, PeerTube's content types, ETags,
// long caching for immutable files, and CORS that lets players and
// WebTorrent web seeds send Range and Cache-Control from any origin. The
// local stack mounts it; private keys (originals, uploads, metadata) are
// never served.
package cdn
