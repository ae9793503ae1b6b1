// Package torrentfile makes the BitTorrent artefacts PeerTube publishes for
// a video file, byte for byte as PeerTube 6.1 makes them: the .torrent file
// (what the npm create-torrent 6.0 package writes for PeerTube's options),
// its magnet URI (what the npm magnet-uri 7 package encodes from PeerTube's
// fields), the tracker URLs of an instance, and the infohashes of the
// p2p-media-loader swarms of an HLS playlist.
//
// # Torrent files
//
// [Build] reads a file once, as a stream, and hashes its pieces with SHA-1
// (BitTorrent v1). The torrent is single-file: info holds length, name,
// piece length and pieces; the top level holds announce (the first tracker
// of the first tier), announce-list, comment (only when set), created by,
// creation date (Unix seconds, rounded up), encoding "UTF-8" and url-list
// (BEP 19 web seeds; written even when empty, as PeerTube does for private
// videos). Keys are sorted, as bencode requires. PeerTube's options are:
//
//   - Name: [InfoName] of the video name, the file's resolution and its
//     extension ("Test pattern clip 240p.mp4"). A BitTorrent client saves
//     the file under this name.
//   - CreatedBy: "PeerTube".
//   - Trackers: [[ws://HOST:PORT/tracker/socket] [http(s)://HOST/tracker/announce]],
//     that is [TrackerURLs] in that order, one tracker per tier.
//   - WebSeeds: the file's public URL, or none for a private video.
//   - PieceLength: unset, so [DefaultPieceLength] picks it.
//
// The .torrent of a file is stored under [FileName] (a fresh UUID per
// generation), and the infohash changes whenever the info dictionary does
// (a new name after a video rename, for instance).
//
// # Magnet URIs
//
// [Magnet] writes xs (the .torrent URL), xt (urn:btih:INFOHASH), dn (the
// video's name, not the info name), one tr per tracker and one ws per web
// seed, in that order, each value percent-encoded like JavaScript's
// encodeURIComponent (dn with spaces as "+"). PeerTube passes the trackers
// of the video (REST trackerUrls: http first, then ws) and the file URL
// followed by the URLs of its redundancies.
//
// # HLS swarms
//
// PeerTube 6.1's player (p2p-media-loader 0.6) joins one swarm per HLS
// variant; [HLSInfoHashes] returns their infohashes, which PeerTube stores,
// checks in its tracker and federates as Infohash tags.
package torrentfile
