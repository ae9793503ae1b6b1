// Package tabletest is the conformance suite of the table port: Run checks
// that an engine keeps every promise of shared/table (value types, keys and
// limits, conditional writes, updates, TTL visibility, queries over the
// table and its sparse indexes with paging, counts, batch reads,
// transactions, concurrent conditional writes and context cancellation).
//
// Each engine's tests call Run with a function that opens a fresh, empty
// table for the given schema; every subtest opens its own. A subtest that
// an engine's backing server cannot pass (a bug of a local emulator, say)
// is skipped by calling t.Skip in that function, by the subtest's name and
// with the reason, so that every other subtest still runs.
package tabletest
