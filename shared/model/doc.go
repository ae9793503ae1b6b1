// Package model holds the domain types every other package shares: users,
// accounts, channels, OAuth tokens and videos, and what federation adds to
// them: remote actors and videos, follows, comments, blocks and abuse
// reports. It imports neither AWS nor ActivityPub libraries and carries no
// storage or wire tags: shared/store maps it to table items and shared/api
// to PeerTube's JSON shapes.
package model
