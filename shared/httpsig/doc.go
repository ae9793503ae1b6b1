// Package httpsig owns HTTP signatures (draft-cavage-http-signatures) for
// ActivityPub federation, as PeerTube, Mastodon and GoToSocial speak them:
// the algorithm list, the covered headers, the Digest, the clock tolerance
// and the keyId forms. It signs every request this instance sends (POST
// deliveries and GET fetches) and verifies every signed request it
// receives. It knows nothing of actors: the caller resolves keyIds to keys.
//
// # What is signed
//
// Sign uses rsa-sha256 (RSASSA-PKCS1-v1_5 over SHA-256), the one algorithm
// every server verifies, and covers:
//
//	GET:  (request-target) host date
//	POST: (request-target) host date digest
//
// exactly GoToSocial's signing preferences and PeerTube's outgoing set.
// PeerTube and Mastodon refuse a POST whose signature lacks
// (request-target), host or digest; GoToSocial and Mastodon in secure mode
// refuse unsigned GETs of actors and objects, so fetches are signed too
// (by the instance actor). Digest is SHA-256=base64(sha256(body)); Date is
// RFC 1123 in GMT; the keyId is whatever the caller passes (this project
// publishes actor#main-key as publicKey.id).
//
// # What is checked
//
// Verify accepts the Signature header and "Authorization: Signature …",
// with a "Signature " prefix tolerated (PeerTube does). Algorithms:
// rsa-sha256, rsa-sha512, and hs2019 or none (the key decides: for an RSA
// key PKCS#1 v1.5 over SHA-256, then SHA-512). GoToSocial sends hs2019
// with RSA-SHA256; no server is known to send RSA-PSS, so it is not tried.
// Pseudo-headers (request-target), (created) and (expires) are supported,
// the last two with hs2019 only (draft-cavage-12). Header names are
// case-insensitive; a header sent several times is signed as its values
// joined by ", ". A duplicated parameter makes the header malformed.
//
// A signature must cover (request-target), host, and date or (created) —
// PeerTube's rule — and on a POST also digest (or content-digest). The
// body must match every Digest (SHA-256 or SHA-512) and RFC 9530
// Content-Digest (sha-256, sha-512) the request carries.
//
// Errors are typed for errors.Is: ErrNoSignature, ErrMalformed (a
// *MalformedError carries the byte position), ErrNotCovered,
// ErrMissingHeader, ErrAlgorithm, ErrExpired, ErrDigest, ErrKeyNotFound,
// ErrBadSignature; Status maps them to 400 or 401 (and a failing key
// resolver to 503, so the sender retries). Body size limits (413)
// belong to the inbox, before Verify is called with the body.
//
// # Tolerances, and why
//
//   - Clock skew: DefaultMaxSkew, 30 minutes either way (PeerTube's value;
//     Mastodon allows 12 hours back, but everyone signs at send time).
//   - request-target: PeerTube 6.1 signs GETs with a query string
//     (?page=1) over the path without the query. A signature that verifies
//     over either form is accepted; the query is not authenticated then,
//     which only matters for GETs of public collections.
//   - host: the signer signed the Host it sent. Verify tries the Host the
//     request arrived with, then VerifyOptions.PublicHost, because a proxy
//     in front of the instance (API Gateway, a load balancer) may rewrite
//     Host to an internal name. X-Forwarded-Host is not trusted.
//   - keyId: PeerTube sends the bare actor URL, Mastodon actor#main-key,
//     GoToSocial …/users/NAME/main-key (a key stub with an owner), some
//     servers acct:user@host. ParseKeyID tells them apart; the resolver
//     given to Verify fetches and the caller then checks that the key's
//     owner is the activity's actor.
//   - Keys: RSA of 1024 to 8192 bits (PeerTube's test instances use
//     1024-bit keys), PKIX "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY" PEM.
package httpsig
