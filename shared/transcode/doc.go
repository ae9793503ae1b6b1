// Package transcode does the media work of the transcoding pipeline with
// ffmpeg and ffprobe on local files (inputs may also be http(s) URLs, read
// with ranged requests). It owns the command lines, the PeerTube rules they
// follow and the checks on their results; it knows nothing of queues,
// tables or blob storage: a consumer moves bytes between storage and a
// temporary directory and calls it.
//
// The pipeline it supports, for one uploaded file:
//
//  1. Probe validates the upload (anything that is not usable video or audio
//     ends in an *InputError whose Reason is shown to the uploader) and
//     returns the facts the rest needs, with the ffprobe JSON that the API
//     serves as a file's metadata.
//  2. Ladder picks the renditions PeerTube would make: the source's own
//     resolution and every enabled one below it, with PeerTube's frame-rate
//     and bitrate rules.
//  3. Each rendition is encoded to an H.264/AAC MP4 with faststart (the
//     "web video" file). A short input is encoded by EncodeWhole in one
//     pass. A long one is cut by PlanChunks into chunks on SegmentSeconds
//     boundaries; EncodeVideoChunk encodes each chunk's video (in parallel,
//     on different machines if need be), EncodeAudio the whole audio track
//     once, and Join concatenates them by stream copy. Every encode forces a
//     keyframe at each multiple of SegmentSeconds of the source's time, so
//     chunked and single-pass outputs have the same frames and keyframes.
//  4. HLS remuxes each rendition's MP4, without re-encoding, into PeerTube's
//     HLS layout: a fragmented MP4 with byte-range segments and a VOD media
//     playlist. MasterPlaylist lists the variants, and SegmentsSHA256 /
//     SegmentsSHA256JSON produce the segments-sha256 file that PeerTube's
//     P2P player checks segments against.
//  5. Thumbnail and Preview make the video's JPEG images at PeerTube's sizes
//     (a plain picture, or the cover art, for audio).
//
// Torrents, storage keys and publication belong to other packages.
//
// Every tool run has -nostdin (ffmpeg), -hide_banner and -loglevel error,
// runs through exec.CommandContext (never a shell), and is bounded by the
// context; reads over HTTP also time out on their own (-rw_timeout). Inputs
// from uploaders are opened with a protocol and demuxer whitelist, so a
// crafted file (an HLS or concat playlist, say) cannot make ffmpeg read
// other files or hosts. Known error lines map to typed errors: *InputError
// (errors.Is ErrInvalidInput), ErrNoAudio, ErrNoVideo, *ExecError wrapping
// fs.ErrNotExist or fs.ErrPermission, or the context's error when it ended
// the run.
package transcode
