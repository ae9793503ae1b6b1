// Package tracker is the instance's WebTorrent tracker: a WebSocket
// tracker speaking bittorrent-tracker's (npm, v11) wire protocol, as
// browsers' webtorrent and anacrolix/torrent's webtorrent client speak it,
// at /tracker/socket, plus BEP 3/23 HTTP announces and scrapes at
// /tracker/announce and /tracker/scrape.
//
// It owns the swarms (which peers are in which torrent), the relay of
// WebRTC offers and answers between peers, and the tracker's defences:
// only infohashes the Config.Allowed filter knows (StoreAllowList: the
// instance's published videos), per-IP rate limits and a short IP block
// after an unknown infohash, as PeerTube's tracker has, and bounded
// memory (an LRU of swarms, at most MaxPeers peers a swarm, peers
// forgotten PeerTTL after their own last announce). Peers that
// Config.Permanent names (the instance's WebRTC seed, which re-announces
// only after one of its offers is answered) are never expired: they leave
// a swarm when their socket closes or when they announce stopped.
//
// The state is in memory, in one process: the seeder container serves
// it. Stats returns counters for a metrics endpoint.
package tracker
