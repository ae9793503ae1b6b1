// Package resolve finds what other servers hold: remote actors (accounts,
// channels, instance actors) by URL, by handle (name@host, through
// WebFinger) or by host, the public keys their signatures name, and remote
// videos and comments by URL. What it fetches it stores as local copies
// (shared/store), refreshed when they are older than a day, so an actor is
// fetched once and then read from the table.
//
// Every fetch is a GET signed by the instance actor (GoToSocial and
// Mastodon in secure mode refuse unsigned ones) through the guarded client
// of shared/fetch. URLs of this instance are never fetched: they are read
// from the store directly.
package resolve
