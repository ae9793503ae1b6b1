// Package keyring holds the RSA-2048 key pairs of local actors (the
// instance actor, accounts, channels), which sign every activity they
// send. Private keys are stored in the table only sealed with AES-256-GCM
// under a key-encryption key that never enters the table (locally a file
// in the data directory, readable by its owner only); the public key is
// stored in the clear for actor documents. A key is generated on first use
// and the first writer wins, so concurrent first uses agree on one key.
// A Keyring reads and unseals each key once and keeps it in memory (a
// stored key never changes), so signing fetches or deliveries costs no
// table read per request.
package keyring
