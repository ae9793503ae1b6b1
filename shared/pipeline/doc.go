// Package pipeline processes uploaded videos: the transcode queue's
// consumer, run by the transcode Lambda function in AWS and by the local
// stack's event-source driver locally.
//
// A video moves through jobs, each a queue message:
//
//	ingest    join a resumable upload's chunks; probe the original (a file
//	          that is not video or audio ends in state 7 with the reason);
//	          publish it at once as a web video with its torrent (PeerTube's
//	          clients wait for files[0].torrentUrl); thumbnail and preview;
//	          plan the renditions and queue their encodes
//	encode    one rendition, whole (short inputs) or one chunk of it (long
//	          inputs, cut at segment boundaries so chunks encode in
//	          parallel on different consumers)
//	assemble  join a rendition's chunks with its audio
//	finalize  write the HLS master playlist and the segments' hashes,
//	          retire the original web video, publish
//
// Every job is idempotent: outputs have names fixed by the plan or are
// recorded once by conditional writes, and the plan's counters count each
// part once however often it is delivered. A job that keeps failing is
// retried by the queue; on its last attempt the video is marked as failed
// with the reason, so no video stays in "to transcode" forever.
package pipeline
