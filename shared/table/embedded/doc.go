// Package embedded is the table engine for running Vidiverse as one local
// process: a durable, crash-safe file on local disk (bbolt), pure Go.
//
// It owns the on-disk layout. One bbolt file holds:
//
//   - bucket "items": key uvarint(len(pk)) pk sk, value the encoded item
//     (see codec.go), so a partition's items lie together in sort key byte
//     order;
//   - one bucket "ix/<name>" per index: key uvarint(len(ixpk)) ixpk
//     escape(ixsk) 0x00 0x01 itemkey, value the item's expiry, so an
//     index partition lies in index sort key order and an index read needs
//     one lookup in "items" per item;
//   - bucket "ttl": key expiry(8 bytes, order-preserving) itemkey, for
//     the sweeper;
//   - bucket "meta": the format version and the schema the indexes were
//     built for (a changed schema rebuilds them on Open).
//
// Every write, a Transact included, is one bbolt read-write transaction:
// conditions are checked and indexes maintained atomically, and bbolt
// fsyncs before the call returns. Reads run in read-only transactions,
// concurrently with each other and with one writer.
//
// Expired items are invisible at once (every read and condition checks the
// TTL) and a background sweeper deletes them physically (every minute by
// default; see WithSweepInterval). Cursors are base64url strings holding
// the index name and the last key read.
package embedded
