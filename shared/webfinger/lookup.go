package webfinger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/vidiverse/vidiverse/shared/fetch"
)

// ErrNoActor is a JRD without an ActivityPub self link.
var ErrNoActor = errors.New("webfinger: no ActivityPub actor link")

// Fetch queries the WebFinger endpoint of the handle's host for
// acct:name@host (handle as SplitHandle accepts it), unsigned, as PeerTube
// and Mastodon do. The host is reached over https, or over loopback http
// when c allows it (fetch.Client.GetHost).
func Fetch(ctx context.Context, c *fetch.Client, handle string) (JRD, error) {
	name, host, err := SplitHandle(handle)
	if err != nil {
		return JRD{}, err
	}
	resource := "acct:" + name + "@" + host
	body, _, err := c.GetHost(ctx, host, Path+"?resource="+url.QueryEscape(resource), Accept, nil)
	if err != nil {
		return JRD{}, fmt.Errorf("webfinger %s: %w", resource, err)
	}
	var d JRD
	if err := json.Unmarshal(body, &d); err != nil {
		return JRD{}, fmt.Errorf("webfinger %s: decode: %w", resource, err)
	}
	return d, nil
}

// Lookup returns the ActivityPub actor URL of a remote handle (name@host,
// @name@host or acct:name@host). The URL may be on another host than the
// handle (a server with a separate web domain); the caller fetches the
// actor and trusts its id, not this answer.
func Lookup(ctx context.Context, c *fetch.Client, handle string) (string, error) {
	d, err := Fetch(ctx, c, handle)
	if err != nil {
		return "", err
	}
	actor, ok := d.ActorURL()
	if !ok {
		return "", fmt.Errorf("webfinger %s: %w", handle, ErrNoActor)
	}
	return actor, nil
}
