// Package deliver owns outgoing ActivityPub delivery: the jobs of the
// deliver queue, their fan-out to inboxes, and the consumer that signs and
// POSTs them.
//
// A producer enqueues one Job per activity (Enqueue). A job names either
// one inbox, or the local actors whose accepted followers should receive
// the activity plus any extra inboxes (a fan-out job). The consumer
// (Deliverer.Handle, a queue.Consumer: the deliver Lambda in AWS, the
// embedded queue driven by shared/queue/eventsource locally) expands a
// fan-out job into the distinct set of delivery inboxes, leaving out this
// instance's own origin, and enqueues one single-inbox job per inbox on the
// same queue. A single-inbox job is signed at send time with its signer's
// key (draft-cavage, rsa-sha256 over (request-target) host date digest, the
// keyId the bare actor URL as PeerTube signs) and POSTed as
// application/activity+json through the guarded client, the activity
// bytes exactly as the producer gave them.
//
// # Outcomes
//
//   - 2xx: delivered.
//   - 5xx, 408, 429, timeouts and failed connections (fetch.Retryable): the
//     job is enqueued again with Attempt+1, delayed BaseDelay·2^Attempt
//     (capped at queue.MaxDelay), and the received message counts as
//     handled. After MaxAttempts tries the job goes to the dead-letter
//     queue (or is logged and dropped when there is none).
//   - Other 4xx and refusals by the guard: logged and dropped.
//   - A body that is not a valid job: logged and dropped, never retried.
//   - Failures on this side (reading a key, listing followers, enqueueing
//     the follow-up jobs): the record is reported failed, so the queue
//     delivers it again after its visibility timeout and dead-letters it
//     after its maximum receive count.
//
// # Keeping one host from slowing the others
//
// The records of a batch are handled concurrently, every POST is bounded
// by the client's timeout, and a host whose POST just timed out is
// remembered for HostDownFor: this process's other jobs for it are
// rescheduled at once, as failed tries, without waiting on it again.
// Parsed signing keys are cached for the life of the process, so each
// signer costs one keyring read.
//
// Receivers treat a POST of the same activity twice as one (activities
// have ids), so a redelivered job may post again; the consumer avoids the
// cheap duplicates: a fan-out is deduplicated, and a fan-out redelivered
// after a partly failed SendBatch enqueues only the inboxes that were not
// enqueued the first time (when the same process sees it again).
package deliver
