// Package sqs is the Amazon SQS engine of the queue port: the producer side
// (queue.Sender) over aws-sdk-go-v2's SQS client. It is what Lambda
// functions use to enqueue work; consuming is left to Lambda's event source
// mapping.
//
// Messages are checked locally against SQS's rules before any request (the
// same rules the embedded engine applies): a body of at least one allowed
// character, at most queue.MaxBodyBytes including attribute names, types and
// values, a delay of at most queue.MaxDelay (sent as whole seconds, rounded
// up), and at most ten well-named, non-empty string attributes. SendBatch
// packs messages into SendMessageBatch requests of at most ten entries and
// queue.MaxBodyBytes in all.
package sqs
