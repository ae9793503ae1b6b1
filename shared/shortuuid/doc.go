// Package shortuuid converts between UUIDs and the short UUIDs PeerTube
// shows in URLs and API answers (`shortUUID`): the UUID's 128 bits written
// in base 58 with the flickrBase58 alphabet and left-padded to 22
// characters, as the npm package short-uuid (v4, consistent length) writes
// them. PeerTube accepts either form wherever a video id is expected.
package shortuuid
