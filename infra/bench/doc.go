// Command bench measures Vidiverse on the machine it runs on (make bench)
// and prints one table: the transcoding pipeline against one plain ffmpeg
// command making the same ladder, the speed-up of chunked encoding with 1,
// 2 and 4 workers, the time from an upload to files[0].torrentUrl, API
// throughput and latency against a trivial net/http server, the idle
// memory of the local instance, and federation: the RSA-2048 signing rate
// of one core, deliveries of one activity to 1,000 and 10,000 inboxes
// through the deliver queue against it, and WebFinger and actor-document
// throughput against the trivial server.
//
// Shared machines are noisy, so every figure that has a sensible baseline
// is also given as a ratio against that baseline, measured in the same run.
// These are benchmarks, not tests: nothing fails when a target is missed;
// the table says which targets are met.
//
// It starts its own local instances (the binary of make run, given with
// -local or built into a temporary directory) on free ports with their
// own data directories, and stops them and removes everything it made on
// exit, Ctrl-C included. It needs ffmpeg, ffprobe and wrk on PATH.
package main
