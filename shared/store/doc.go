// Package store is the single-table data layer, written once over the
// table port (shared/table) so it runs unchanged on DynamoDB and on the
// embedded engine. It owns the key design (keys.go, documented in
// TABLE.md), the item encoding, and every access pattern: users, accounts,
// channels, OAuth clients and tokens, ID counters and rate-limit windows.
// Writes that can race are conditional; writes that must agree are
// transactions.
package store
