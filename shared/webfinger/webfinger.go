package webfinger

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Link relations and media types found in WebFinger documents.
const (
	RelSelf        = "self"
	RelSubscribe   = "http://ostatus.org/schema/1.0/subscribe"
	RelProfilePage = "http://webfinger.net/rel/profile-page"

	TypeActivity = "application/activity+json"
	// TypeLDActivity is the other media type an ActivityPub self link may
	// carry.
	TypeLDActivity = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

	// ContentType is what PeerTube answers WebFinger queries with.
	ContentType = "application/json; charset=utf-8"
	// Accept is what lookups ask for.
	Accept = "application/jrd+json, application/json"
	// Path is the WebFinger endpoint.
	Path = "/.well-known/webfinger"
)

// ErrInvalidResource is a resource that is not acct:name@host of this host.
var ErrInvalidResource = errors.New("webfinger: invalid resource")

// JRD is a JSON resource descriptor, in PeerTube's member order.
type JRD struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases,omitempty"`
	Links   []Link   `json:"links"`
}

// Link is one link of a JRD.
type Link struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// Document returns the JRD PeerTube serves for the local actor name whose
// path is actorPath (e.g. "/accounts/root", "/video-channels/root_channel",
// "/accounts/peertube") on the instance at publicURL (an origin without a
// trailing slash).
func Document(publicURL, name, actorPath string) JRD {
	actor := publicURL + actorPath
	return JRD{
		Subject: "acct:" + name + "@" + hostOf(publicURL),
		Aliases: []string{actor},
		Links: []Link{
			{Rel: RelSelf, Type: TypeActivity, Href: actor},
			{Rel: RelSubscribe, Template: publicURL + "/remote-interaction?uri={uri}"},
		},
	}
}

// ActorURL returns the href of the JRD's ActivityPub self link: rel "self"
// with an ActivityPub media type, and an absolute http(s) URL.
func (d JRD) ActorURL() (string, bool) {
	for _, l := range d.Links {
		if l.Rel != RelSelf || !isActivityType(l.Type) {
			continue
		}
		u, err := url.Parse(l.Href)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		return l.Href, true
	}
	return "", false
}

func isActivityType(t string) bool {
	mt, params, _ := strings.Cut(strings.ToLower(strings.TrimSpace(t)), ";")
	switch strings.TrimSpace(mt) {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return strings.Contains(params, "https://www.w3.org/ns/activitystreams")
	}
	return false
}

// Resolve returns the name of a resource addressed to host (this
// instance's host[:port]): resource must be acct:name@host, as PeerTube
// requires. A default port (:443, :80) on either side is ignored and hosts
// compare without regard to case. The name may be empty (no actor has it).
func Resolve(resource, host string) (string, error) {
	rest, ok := strings.CutPrefix(resource, "acct:")
	if !ok {
		return "", fmt.Errorf("%w: %q is not an acct: URI", ErrInvalidResource, resource)
	}
	parts := strings.Split(rest, "@")
	if len(parts) != 2 {
		return "", fmt.Errorf("%w: %q is not acct:name@host", ErrInvalidResource, resource)
	}
	if normalHost(parts[1]) != normalHost(host) {
		return "", fmt.Errorf("%w: %q is not on %s", ErrInvalidResource, resource, host)
	}
	return parts[0], nil
}

// SplitHandle splits a remote handle into name and host. It accepts
// name@host, @name@host and acct:name@host.
func SplitHandle(handle string) (name, host string, err error) {
	h := strings.TrimPrefix(strings.TrimPrefix(handle, "acct:"), "@")
	name, host, ok := strings.Cut(h, "@")
	if !ok || name == "" || host == "" || strings.ContainsAny(host, "@/?#\\ ") || strings.ContainsAny(name, "/?#\\ ") {
		return "", "", fmt.Errorf("%w: handle %q is not name@host", ErrInvalidResource, handle)
	}
	return name, host, nil
}

func normalHost(h string) string {
	h = strings.ToLower(h)
	for _, p := range []string{":443", ":80"} {
		h = strings.TrimSuffix(h, p)
	}
	return h
}

func hostOf(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return u.Host
}
