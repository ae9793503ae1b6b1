// Package blobtest is the conformance suite for blob.Store engines: one set
// of behaviours (round trips, ranged reads, strict sizes, key validation,
// paged listing, multipart uploads, presigned URLs used with plain net/http,
// concurrency) that every engine must show. An engine's test calls Run with a
// function that opens a fresh, empty store.
package blobtest
