// Package videometa reads and checks what an uploader or editor says about
// a video (PeerTube's VideoCreate and VideoUpdate fields) exactly as
// PeerTube 6.x's validators do: the same lengths, allowed values, string
// coercions ("true"/"false", "null", parseInt) and messages, answered as
// PeerTube's 400 problem with invalid-params.
//
// Input comes either as form values (multipart or url-encoded: every value
// a string, arrays as `tags[0]`, `tags[]` or a repeated `tags`) or as a JSON
// object (the resumable upload's init body, PUT /videos/{id}). FromForm and
// FromJSON build the metadata of a new video, with PeerTube's defaults for
// what is absent; PatchFromForm and PatchFromJSON change only the fields
// given.
//
// Deliberate differences from PeerTube: a single plain `tags` value is read
// as a one-tag list (PeerTube rejects a lone string); password-protected
// videos (privacy 5) and scheduled updates (scheduleUpdate) are refused
// with a 400 saying they are not supported; ISO 8601 dates are the
// calendar forms (YYYY, YYYY-MM, YYYY-MM-DD, optionally with a time and a
// zone), not week or ordinal dates.
package videometa
