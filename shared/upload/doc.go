// Package upload receives video files: PeerTube's two upload protocols and a
// direct-to-blob path of our own, as http.Handlers the API mounts (see
// Routes), plus Join, which the ingest job calls to assemble a resumable
// upload, and Sweep, which cleans up after abandoned ones.
//
// # Where the bytes go
//
// A Lambda function takes at most 6 MiB of event, and API Gateway's HTTP
// API passes a binary body base64-encoded (a third larger), so in AWS no
// request here may carry much more than 4.5 MB:
//
//   - Legacy multipart (POST /api/v1/videos/upload, what peertube-cli
//     sends): the videofile part streams into a blob multipart upload at
//     originals/<random id>, in parts of blob.MinPartSize, never held whole
//     in memory. Fields may come before or after the file: they are checked
//     once the body ends, and a refused upload deletes the object (a failed
//     one aborts the multipart upload), so it leaves nothing behind. Through
//     API Gateway this works for files up to about 4.5 MB; larger ones need
//     the resumable or direct path (or the local server, which has no cap).
//   - Resumable (POST/PUT/DELETE /api/v1/videos/upload-resumable, the
//     node-uploadx protocol as PeerTube serves it): each PUT stores its bytes
//     as one object, uploads/<session id>/<start>-<end> (offsets as 20
//     digits, end exclusive), and commits the session's offset in the table
//     with a conditional update. Chunks are smaller than S3's 5 MiB part
//     minimum, so they cannot be multipart parts; the last chunk creates the
//     video with SourceFile.ChunkPrefix set, and the ingest job calls Join
//     to stream the chunks, in order, into the original at SourceFile.Key.
//     Images sent with the init (thumbnailfile, previewfile) wait at
//     uploads/<session id>.thumbnail and .preview.
//   - Direct (our extension; PeerTube has none): the browser sends the file
//     straight to the blob store with presigned part URLs, and the API only
//     starts and finishes the multipart upload (see below).
//
// # Resumable protocol details
//
// Init answers 201 with Location (…/upload-resumable?upload_id=<id>) and
// X-Upload-Expires; a second init of the same upload (same user, filename,
// size, type, file date and metadata: the session id is a hash of them)
// answers 200 with a Range header once bytes are in, as node-uploadx does,
// and 200 with the video once it is created. A PUT carries Content-Range
// "bytes a-b/size"; "bytes */size" (or an empty PUT) asks for the status.
// An incomplete upload answers 308 with Range "bytes=0-<last byte>"; the
// last chunk answers 200 {"video":{id,shortUUID,uuid}}, and so does any
// later PUT of the session. A chunk over MaxChunkSize is 413 before any
// byte is read. A chunk starting past the committed offset is 409
// (node-uploadx's FILE_CONFLICT), with Range saying where to resume; a chunk
// whose bytes are already committed is answered as a status query, and one
// that overlaps the committed offset stores only its new bytes. A PUT whose
// body ends before its range does stores nothing and commits nothing. The
// session expires SessionLifetime after its last chunk (410 after that).
// DELETE answers 204: before completion it deletes the chunks too, after
// completion only the session (the chunks then belong to the video until
// Join), which is what PeerTube's clients send after the last chunk.
//
// Quota is checked at init against X-Upload-Content-Length, as in PeerTube,
// and the channel again before the video is created.
//
// # Direct uploads
//
// POST /api/v1/videos/upload-direct with a JSON body: the metadata fields
// of a resumable init, plus "filename", "size" (bytes) and optionally
// "contentType". It checks them as the resumable init does, starts a blob
// multipart upload at originals/<random id> and answers
//
//	{"uploadId": "…", "partSize": 5242880, "expiresAt": "…",
//	 "parts": [{"partNumber": 1, "url": "https://…"}, …]}
//
// The client PUTs bytes [(n-1)·partSize, n·partSize) of the file to part
// n's URL (a plain HTTP PUT: S3's presigned UploadPart, or the local
// server's /local-blob/ handler) and keeps each response's ETag header.
// Then POST /api/v1/videos/upload-direct/complete/{uploadId} with
// {"parts":[{"partNumber":1,"etag":"…"},…]} checks the parts against the
// store, completes the object, checks that its size is the declared one and
// creates the video: 200 {"video":{id,shortUUID,uuid}} (again on a replay).
// DELETE /api/v1/videos/upload-direct/{uploadId} aborts it: 204. In AWS the
// media bucket's CORS rules must allow PUT from the web origin and expose
// the ETag header for this path.
//
// # Cleaning up
//
// Sweep deletes what expired sessions left: their chunk objects, staged
// images and (direct) the aborted multipart upload, then the session. The
// local stack runs it periodically. In AWS, an S3 lifecycle rule on the
// uploads/ prefix (expire objects a few days old) and the bucket's rule
// aborting incomplete multipart uploads after a day do the same without a
// scheduled function; a session item itself goes with the table's TTL.
package upload
