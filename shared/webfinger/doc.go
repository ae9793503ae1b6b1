// Package webfinger owns WebFinger (RFC 7033) and host-meta as PeerTube 6.1
// serves and uses them: the JSON resource descriptor of a local account,
// channel or the instance actor, the answers to bad and unknown resources,
// the host-meta XRD, and the client side that finds the actor URL of a
// remote name@host (to follow channel@host, or to resolve an acct: keyId).
//
// Serving follows the captured PeerTube answers byte for byte: only
// acct:name@host resources of this host are accepted (an actor URL as
// resource is a 400, as on PeerTube), the subject echoes the resource, and
// the Content-Type is PeerTube's application/json; charset=utf-8 rather than
// RFC 7033's application/jrd+json (Mastodon, GoToSocial and PeerTube all
// accept it, since they ask for "application/jrd+json, application/json").
// The handlers are plain functions; the federation function mounts them.
package webfinger
