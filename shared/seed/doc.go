// Package seed owns the instance's WebRTC seed: a BitTorrent client
// (anacrolix/torrent, pion/webrtc v4) that stays in the swarm of every
// file of every published local video, so that viewers' players get bytes
// from it before they fall back to the web seed (the CDN).
//
// # What it seeds
//
// [Seed.Sync] lists the store's videos; for each local (Remote == nil),
// published one it seeds each web-video file and each HLS fragmented file
// that has a .torrent (blob key mediakeys.Torrent(TorrentFilename)), as
// the pipeline wrote it. A torrent whose video is deleted, unpublished or
// whose files were replaced is dropped. [Seed.Run] syncs every
// Config.Refresh.
//
// The torrents' trackers are replaced by Config.TrackerURL (by default the
// ws(s):// tracker of the public URL); their web seeds are ignored.
//
// Every torrent seeded keeps one WebRTC offer outstanding at the tracker
// (a pion PeerConnection with a UDP socket per local address): measured
// idle, about 14 goroutines, 7 file descriptors and 80 KiB of heap per
// torrent. Config.MaxTorrents bounds the set (web videos before HLS
// files, the most recently published videos first).
//
// # Client settings
//
// Seed only and WebRTC only: Seed, NoDHT, DisableTCP, DisableUTP,
// DisableWebseeds and DisablePEX, no port forwarding, one connection per
// peer id (a viewer that answers the seed's offer and whose offer the seed
// answers would otherwise be served twice). Config.UploadRate caps the
// upload with a token bucket of max(64 KiB, rate/8): a chunk request
// longer than the bucket is refused, and webtorrent asks for 16 KiB.
//
// # Storage
//
// Pieces are read from blob storage (S3 in AWS, files locally) with one
// ranged read per piece into a small LRU cache of whole pieces
// (Config.CacheBytes), shared by all torrents; concurrent misses of a
// piece share one read. Every piece is reported complete (the pipeline
// hashed the file as it stored it) and writes are refused ([ErrReadOnly]).
// Nothing is written to disk.
//
// # Tracker
//
// anacrolix announces a torrent once when it is added, and again only
// after one of its offers is answered. A tracker that expires idle peers
// therefore forgets the seed of a swarm nobody watched for a while: the
// tracker must keep [Seed.PeerID] in every swarm it announced to, and
// exempt it from rate limits (the seed re-announces once per answered
// offer). When the tracker runs in the same process, point
// Config.TrackerURL at its local listener (ws://127.0.0.1:PORT/tracker/socket)
// rather than at the public wss:// URL. anacrolix dials a tracker again
// only a minute after a failed dial, so the first Sync that adds torrents
// waits (up to 10 s) for the tracker's port to accept connections.
//
// # ICE: what works where
//
// anacrolix keeps pion's SettingEngine in an unexported variable, so its
// defaults apply: host candidates on every interface except loopback (and
// link-local IPv6), no NAT 1:1 address, ephemeral UDP ports. Two peers on
// one machine therefore meet over the machine's non-loopback address (the
// packets stay in the host); the tests need one and skip without it. Over
// loopback-only networks nothing connects.
//
// Across NAT, give Config.ICEServers a STUN server: the seed then offers a
// server-reflexive candidate (its public address). In AWS (a Fargate task
// or an EC2 instance with a public IP behind an internet gateway, a 1:1
// NAT that keeps ports) that is enough, provided the security group lets
// UDP in on the ephemeral port range (32768-60999 on Linux) from anywhere;
// UDP does not go through CloudFront or an ALB, only the WebSocket tracker
// does. Viewers behind symmetric NATs need TURN, which this package does
// not configure.
package seed
