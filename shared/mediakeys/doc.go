// Package mediakeys is the layout of media objects: where each file of a
// video lives in blob storage. Public media keys are PeerTube's public URL
// paths without the leading slash (static/web-videos/…,
// static/streaming-playlists/hls/{uuid}/…, lazy-static/thumbnails/…), so
// the CDN in front of the media bucket (CloudFront in AWS, shared/cdn
// locally) serves them at the paths PeerTube clients expect. Private keys
// (originals, chunks, file metadata) live under prefixes the CDN does not
// serve.
package mediakeys
