// Package password hashes and verifies user passwords with argon2id and
// stores them as PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so the
// parameters can be raised later without breaking existing hashes.
package password
