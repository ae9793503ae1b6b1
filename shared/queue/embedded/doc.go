// Package embedded is the durable local queue engine: standard-queue
// semantics in the manner of Amazon SQS (delays, visibility timeouts,
// receive counts, a dead-letter state after too many receives, retention)
// stored in a bbolt file so that messages survive a restart.
//
// A Broker owns one file and any number of named queues. A Queue is the
// producer side (it implements queue.Sender) and the consumer side
// (Receive, Delete, ChangeVisibility), which shared/queue/eventsource uses
// to drive Lambda-shaped consumers and shared/queue/sqsserver uses to serve
// the SQS wire protocol.
//
// Messages are kept in three buckets per queue: the records, a "due" index
// ordered by the time each message next becomes visible (delayed, visible
// and in-flight messages alike), and a "dead" index of dead letters. A
// receive walks the due index up to the current time, so a message that is
// in flight simply reappears when its visibility timeout passes.
package embedded
