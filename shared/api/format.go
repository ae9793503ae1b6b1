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

type accountJSON struct {
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
	UpdatedAt             string       `json:"updatedAt"`
	UserID                *int64       `json:"userId,omitempty"`
}

type channelJSON struct {
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
	Support               *string      `json:"support"`
	IsLocal               bool         `json:"isLocal"`
	UpdatedAt             string       `json:"updatedAt"`
	OwnerAccount          *accountJSON `json:"ownerAccount,omitempty"`
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

func (a *API) accountJSON(acc model.Account) accountJSON {
	j := accountJSON{
		URL: a.cfg.PublicURL + "/accounts/" + acc.Name, Name: acc.Name, Host: a.cfg.Host(),
		Avatars: []actorImage{}, ID: acc.ID, CreatedAt: timeJSON(acc.CreatedAt), Banners: []actorImage{},
		DisplayName: acc.DisplayName, Description: nullable(acc.Description), UpdatedAt: timeJSON(acc.UpdatedAt),
	}
	if acc.UserID != 0 {
		id := acc.UserID
		j.UserID = &id
	}
	return j
}

func (a *API) channelJSON(ch model.Channel, owner *model.Account) channelJSON {
	j := channelJSON{
		URL: a.cfg.PublicURL + "/video-channels/" + ch.Name, Name: ch.Name, Host: a.cfg.Host(),
		Avatars: []actorImage{}, ID: ch.ID, CreatedAt: timeJSON(ch.CreatedAt), Banners: []actorImage{},
		DisplayName: ch.DisplayName, Description: nullable(ch.Description), Support: nullable(ch.Support),
		IsLocal: true, UpdatedAt: timeJSON(ch.UpdatedAt),
	}
	if owner != nil {
		oj := a.accountJSON(*owner)
		j.OwnerAccount = &oj
	}
	return j
}
