// Package taxonomy owns PeerTube's fixed id→label tables as PeerTube 6.x
// serves them: video categories, licences, languages and privacies (the
// bodies of GET /api/v1/videos/categories, /licences, /languages and
// /privacies), video states, playlist privacies and types, comment policies,
// user roles, resolutions and NSFW policies.
//
// The four endpoint tables are generated from captured PeerTube 6.1
// responses (go generate; see internal/gentables) and marshal to the same
// bytes, in the same key order. The {id,label} types (IDLabel, OptIDLabel,
// LangLabel) are PeerTube's VideoConstant for embedding in API objects; the
// constructors (Category, Privacy, State, …) fall back to the label
// "Unknown" as PeerTube does.
package taxonomy

//go:generate go run ./internal/gentables -ref ../reftest/data/peertube-6.1/instance1-rest -out tables_gen.go
