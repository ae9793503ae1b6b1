// Package reftest gives tests the documents and signed requests captured
// from real PeerTube 6.1 and GoToSocial 0.18 servers, and PeerTube's
// OpenAPI 6.3.0 description, embedded from data/ (see data/README.md for
// what produced each file), plus a comparator of JSON shapes. Only tests
// import it.
package reftest
