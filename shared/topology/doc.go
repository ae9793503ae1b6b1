// Package topology declares what the deployed stack is made of: each Lambda
// function (its folder under functions/, its template resource and the API
// Gateway routes it serves) and each queue. The local runner routes requests
// and drives consumers from this list, and a test checks template.yaml
// against it in both directions, so the two shapes cannot drift apart.
package topology
