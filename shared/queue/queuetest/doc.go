// Package queuetest is the conformance suite for queue.Sender engines.
// Each engine's tests call Run with a function that opens a fresh queue
// and a Receiver that reads back what was sent through the engine's own
// consumer side (the embedded queue's Receive and Delete; for SQS, the
// SDK's ReceiveMessage and DeleteMessage against shared/queue/sqsserver).
package queuetest
