package api

import (
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
)

// JSON shapes of PeerTube's Account, VideoChannel and User objects, with
// PeerTube's field order.

type actorImage struct {
	Path      string `json:"path"`
	Width     int    `json:"width"`
	URL       string `json:"url,omitempty"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// actorJSON holds the fields PeerTube's Account and VideoChannel share, in
// its order; each embeds it first.
type actorJSON struct {
	URL                   string       `json:"url"`
	Name                  string       `json:"name"`
	Host                  string       `json:"host"`
	Avatars               []actorImage `json:"avatars"`
	ID                    int64        `json:"id"`
	HostRedundancyAllowed bool         `json:"hostRedundancyAllowed"`
	FollowingCount        int64        `json:"followingCount"`
	FollowersCount        int64        `json:"followersCount"`
	CreatedAt             string       `json:"createdAt"`
	Banners               []actorImage `json:"banners"`
	DisplayName           string       `json:"displayName"`
	Description           *string      `json:"description"`
}

type accountJSON struct {
	actorJSON
	UpdatedAt string `json:"updatedAt"`
	UserID    *int64 `json:"userId,omitempty"`
}

type channelJSON struct {
	actorJSON
	Support      *string      `json:"support"`
	IsLocal      bool         `json:"isLocal"`
	UpdatedAt    string       `json:"updatedAt"`
	OwnerAccount *accountJSON `json:"ownerAccount,omitempty"`
}

type idLabel struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
}

func timeJSON(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timeJSON(t)
	return &s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// actor fills the shared fields of an actor; rem is set for a remote one.
func (a *API) actor(kind, name string, id int64, created time.Time, display, desc string, rem *model.Remote) actorJSON {
	url, host := actorURLHost(a.cfg.PublicURL, a.cfg.Host(), kind, name, rem)
	return actorJSON{
		URL: url, Name: name, Host: host,
		Avatars: []actorImage{}, ID: id, CreatedAt: timeJSON(created), Banners: []actorImage{},
		DisplayName: display, Description: nullable(desc),
	}
}

// actorURLHost is an actor's URL and host: ours for a local actor (kind is
// "accounts" or "video-channels"), its origin's for a remote one.
func actorURLHost(publicURL, host, kind, name string, rem *model.Remote) (string, string) {
	if rem != nil {
		return rem.URL, rem.Host
	}
	return publicURL + "/" + kind + "/" + name, host
}

func (a *API) accountJSON(acc model.Account) accountJSON {
	j := accountJSON{
		actorJSON: a.actor("accounts", acc.Name, acc.ID, acc.CreatedAt, acc.DisplayName, acc.Description, acc.Remote),
		UpdatedAt: timeJSON(acc.UpdatedAt),
	}
	if acc.UserID != 0 {
		id := acc.UserID
		j.UserID = &id
	}
	return j
}

func (a *API) channelJSON(ch model.Channel, owner *model.Account) channelJSON {
	j := channelJSON{
		actorJSON: a.actor("video-channels", ch.Name, ch.ID, ch.CreatedAt, ch.DisplayName, ch.Description, ch.Remote),
		Support:   nullable(ch.Support), IsLocal: ch.Remote == nil, UpdatedAt: timeJSON(ch.UpdatedAt),
	}
	if owner != nil {
		oj := a.accountJSON(*owner)
		j.OwnerAccount = &oj
	}
	return j
}
