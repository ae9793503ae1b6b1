// Package blob is the port for large bytes: uploads, originals, renditions,
// HLS segments, images and torrents. It owns the object model (keys, ranged
// reads, multipart uploads, presigned URLs); the engines are Amazon S3
// (shared/blob/s3) and the local filesystem (shared/blob/fs), and the
// conformance suite in shared/blob/blobtest pins down what both must do.
package blob
