// Package federate assembles one instance's federation from its storage
// and queues: the guarded HTTP client, the resolver of remote objects, the
// outbox, the deliverer (the deliver queue's consumer), the applier (the
// inbox queue's consumer) and the inbox handler. The local stack and every
// Lambda function that federates build their parts here, so they are wired
// the same way everywhere.
package federate
