// Package queue is the port for work queues: transcoding, inbox processing
// and federation delivery. It owns the message model, the producer side
// (Sender) and the consumer shape (Consumer, a Lambda SQS handler). The
// engines are Amazon SQS (shared/queue/sqs) and a durable embedded queue
// (shared/queue/embedded); shared/queue/eventsource drives consumers from
// the embedded queue the way Lambda's event source mapping drives them from
// SQS.
package queue
