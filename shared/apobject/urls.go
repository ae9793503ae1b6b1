package apobject

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
)

// ActorURL is an account's ActivityPub id: publicURL/accounts/{name} for a
// local account, its origin's id for a remote one.
func ActorURL(publicURL string, a model.Account) string {
	if a.Remote != nil {
		return a.Remote.URL
	}
	return base(publicURL) + "/accounts/" + a.Name
}

// ChannelURL is a channel's ActivityPub id: publicURL/video-channels/{name}
// for a local channel, its origin's id for a remote one.
func ChannelURL(publicURL string, c model.Channel) string {
	if c.Remote != nil {
		return c.Remote.URL
	}
	return base(publicURL) + "/video-channels/" + c.Name
}

// VideoURL is a local video's ActivityPub id, which is also its watch
// page: publicURL/videos/watch/{uuid}.
func VideoURL(publicURL, uuid string) string {
	return base(publicURL) + "/videos/watch/" + uuid
}

// CommentURL is the ActivityPub id of a local comment on the video with
// that UUID (local or remote): publicURL/videos/watch/{uuid}/comments/{id}.
func CommentURL(publicURL, videoUUID string, id int64) string {
	return VideoURL(publicURL, videoUUID) + "/comments/" + strconv.FormatInt(id, 10)
}

// followersURL is the followers collection of a local actor.
func followersURL(actorURL string) string { return actorURL + "/followers" }

// base is a public URL without its trailing slashes.
func base(publicURL string) string { return strings.TrimRight(publicURL, "/") }

// hostOf is the host[:port] of a URL, "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// handle is an account's name@host, as a Mention's name writes it (after
// an "@").
func handle(publicURL string, a model.Account) string {
	if a.Remote != nil {
		return a.Name + "@" + a.Remote.Host
	}
	return a.Name + "@" + hostOf(base(publicURL))
}
