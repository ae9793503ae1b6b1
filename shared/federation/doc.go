// Package federation serves what other ActivityPub servers read from this
// instance before they follow or fetch anything: discovery (WebFinger,
// NodeInfo, host-meta) and the actor documents of the instance actor
// (Application "peertube"), accounts (Person) and channels (Group), with
// their followers, following, outbox and playlists collections, laid out
// and paged as PeerTube 6.1 lays them out.
//
// Actor documents answer only requests that ask for ActivityPub (PeerTube's
// executeIfActivityPub rule: the best match of the Accept header among
// HTML, JSON and the ActivityPub media types is an ActivityPub one); other
// requests get 406 until the web pages exist. The collections are empty for
// now: they fill when follows and publishing are federated. Inboxes are not
// served yet.
package federation
