// Package localstack is one complete instance in one process, the
// embedded default that `make run` starts: every function's HTTP handler
// behind one net/http server, routed exactly as template.yaml routes them
// (shared/topology), every queue consumer driven from a durable embedded
// queue, and storage on the embedded table and filesystem blob engines,
// all under one data directory that survives restarts.
package localstack
