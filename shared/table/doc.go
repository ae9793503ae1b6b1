// Package table is the port between the single-table store
// (shared/store) and the engines that hold its items: DynamoDB in AWS
// (shared/table/dynamo) and a durable embedded file locally
// (shared/table/embedded).
//
// It owns the item model (string keys, a few value types), conditional
// writes, queries over partitions and sparse global secondary indexes,
// atomic transactions, and TTL semantics. The conformance suite in
// shared/table/tabletest pins down what every engine must do.
package table
