package nodeinfo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// ErrNoDocument is a /.well-known/nodeinfo without a 2.0 or 2.1 link.
var ErrNoDocument = errors.New("nodeinfo: no 2.0 or 2.1 document linked")

// accept is what PeerTube asks NodeInfo documents for.
const accept = "application/json"

// Info is what Fetch learns about another server.
type Info struct {
	// Version is the schema version of the document read ("2.1", "2.0").
	Version           string
	Software          Software
	Protocols         []string
	OpenRegistrations bool
	// Usage holds what the server reports; counts it leaves out are 0.
	Usage Usage
	// Metadata is the server's free-form metadata member, as sent.
	Metadata json.RawMessage
	// ApplicationActor is the instance actor linked from the well-known
	// document, or "" when it links none.
	ApplicationActor string
}

// Fetch reads host's /.well-known/nodeinfo (over https, or loopback http
// when c allows it), then the newest document it links (2.1, else 2.0).
// When the links name no document (ErrNoDocument) or reading it fails, the
// Info returned with the error still carries ApplicationActor.
func Fetch(ctx context.Context, c *fetch.Client, host string) (Info, error) {
	links, base, err := fetchLinks(ctx, c, host)
	if err != nil {
		return Info{}, err
	}
	info := Info{ApplicationActor: links.find(base, RelApplication)}
	href, version := links.find(base, Schema21), "2.1"
	if href == "" {
		href, version = links.find(base, Schema20), "2.0"
	}
	if href == "" {
		return info, fmt.Errorf("nodeinfo of %s: %w", host, ErrNoDocument)
	}
	body, _, err := c.Get(ctx, href, accept, nil)
	if err != nil {
		return info, fmt.Errorf("nodeinfo of %s: %w", host, err)
	}
	var doc struct {
		Version           string          `json:"version"`
		Software          Software        `json:"software"`
		Protocols         []string        `json:"protocols"`
		OpenRegistrations bool            `json:"openRegistrations"`
		Usage             Usage           `json:"usage"`
		Metadata          json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return info, fmt.Errorf("nodeinfo of %s: decode %s: %w", host, href, err)
	}
	info.Version = doc.Version
	if info.Version == "" {
		info.Version = version
	}
	info.Software = doc.Software
	info.Protocols = doc.Protocols
	info.OpenRegistrations = doc.OpenRegistrations
	info.Usage = doc.Usage
	info.Metadata = doc.Metadata
	return info, nil
}

// ApplicationActor finds the instance actor of host as PeerTube does when
// following a host: the Application link of /.well-known/nodeinfo, else the
// WebFinger actor of peertube@host.
func ApplicationActor(ctx context.Context, c *fetch.Client, host string) (string, error) {
	links, base, err := fetchLinks(ctx, c, host)
	if err == nil {
		if actor := links.find(base, RelApplication); actor != "" {
			return actor, nil
		}
	} else if errors.Is(err, fetch.ErrBadURL) || errors.Is(err, fetch.ErrBlocked) || ctx.Err() != nil {
		return "", err
	}
	actor, wfErr := webfinger.Lookup(ctx, c, "peertube@"+host)
	if wfErr != nil {
		return "", errors.Join(err, fmt.Errorf("instance actor of %s: %w", host, wfErr))
	}
	return actor, nil
}

func fetchLinks(ctx context.Context, c *fetch.Client, host string) (Links, *url.URL, error) {
	body, resp, err := c.GetHost(ctx, host, WellKnownPath, accept, nil)
	if err != nil {
		return Links{}, nil, fmt.Errorf("nodeinfo links of %s: %w", host, err)
	}
	var links Links
	if err := json.Unmarshal(body, &links); err != nil {
		return Links{}, nil, fmt.Errorf("nodeinfo links of %s: decode: %w", host, err)
	}
	return links, resp.Request.URL, nil
}

// find returns the first http(s) href of rel, resolved against base. The
// schema relations are also matched in their https spelling, which some
// servers use.
func (l Links) find(base *url.URL, rel string) string {
	alt := rel
	if r, ok := strings.CutPrefix(rel, "http://nodeinfo."); ok {
		alt = "https://nodeinfo." + r
	}
	for _, link := range l.Links {
		if link.Rel != rel && link.Rel != alt {
			continue
		}
		u, err := base.Parse(link.Href)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		return u.String()
	}
	return ""
}
