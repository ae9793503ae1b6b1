// Package eventsource is the local stand-in for Lambda's SQS event source
// mapping: it long-polls an embedded queue and invokes a queue.Consumer
// with events.SQSEvent batches shaped exactly as Lambda delivers them.
//
// After each invocation it applies Lambda's rules (with
// ReportBatchItemFailures enabled): a nil error and no batchItemFailures
// deletes the whole batch; batchItemFailures deletes all records but those
// named; an error, a panic, a timeout, or a batchItemFailures entry with an
// empty or unknown itemIdentifier fails the whole batch. Failed records are
// not deleted, so they come back after the queue's visibility timeout and
// reach the queue's dead-letter state after its MaxReceives.
package eventsource
