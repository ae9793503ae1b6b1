// Package fs is the local filesystem engine of the blob port: the store
// behind `make run`, durable across restarts.
//
// Layout under the root directory:
//
//	objects/<key>~obj        one file per object: its bytes, then a JSON
//	                         trailer (size, content type, cache control,
//	                         ETag, time) and an 8-byte footer
//	uploads/<id>/upload.json a multipart upload: its key and metadata
//	uploads/<id>/<n>         part n, in the same format as an object
//	tmp/                     files being written; emptied by New
//
// Keeping the metadata in the object's own file means one rename publishes
// bytes and metadata together. Every write goes to a file under tmp/, is
// fsynced, renamed into place and its directory fsynced, so a crash leaves
// either the old object or the new one, never part of one. The "~obj" suffix
// (a character keys cannot hold) lets "a" and "a/b" both be objects, as in
// S3. Object files are bytes followed by the trailer, so object bytes are
// not the whole file: read them through the Store.
//
// Presigned URLs are the local equivalent of S3's: BaseURL + "/local-blob/"
// + key with an expiry and an HMAC-SHA256 signature over the method, key,
// expiry and (for parts) upload id and part number. Handler serves them.
//
// One Store owns a root at a time: New empties tmp/, which would break the
// writes of another Store on the same root.
//
// Limits S3 does not have: on a case-insensitive filesystem (macOS's
// default) keys differing only in case collide; a key segment longer than
// the filesystem's name limit (usually 255 bytes, less the suffix) fails to
// store; abandoned multipart uploads stay under uploads/ until aborted.
package fs
