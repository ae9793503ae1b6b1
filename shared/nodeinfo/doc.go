// Package nodeinfo owns NodeInfo as PeerTube 6.1 serves and uses it:
// /.well-known/nodeinfo (a link to the 2.0 document and, with rel
// https://www.w3.org/ns/activitystreams#Application, to the instance actor),
// /nodeinfo/2.0.json with PeerTube's metadata.nodeConfig, and the client
// side that reads another server's links and document.
//
// The software name is "peertube" and the version the PeerTube API version
// this server speaks (serverconfig's ServerVersion, "6.1.0" by default, the
// same value /api/v1/config reports as serverVersion). PeerTube 6.1 itself
// does not branch on a remote's software name: following a host reads only
// the Application link of /.well-known/nodeinfo and falls back to WebFinger
// peertube@host (ApplicationActor does the same). The name matters to what
// reads NodeInfo to decide what a server is: directories and statistics
// sites group servers by software.name, and PeerTube-aware clients and
// indexes read the PeerTube-only metadata.nodeConfig and use the REST API of
// servers that call themselves peertube. This server speaks PeerTube 6.1's
// REST API and ActivityPub dialect, so it reports itself as PeerTube for
// those consumers to use it as one; Document.Software can be changed by a
// caller that prefers its own name, at that cost.
package nodeinfo
