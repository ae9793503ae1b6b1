package nodeinfo

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
)

// Link relations, paths and content types.
const (
	Schema20       = "http://nodeinfo.diaspora.software/ns/schema/2.0"
	Schema21       = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	RelApplication = "https://www.w3.org/ns/activitystreams#Application"

	WellKnownPath = "/.well-known/nodeinfo"
	// Path is where PeerTube serves its 2.0 document.
	Path = "/nodeinfo/2.0.json"

	// ContentType is the 2.0 document's, with the schema profile, as
	// PeerTube sends it.
	ContentType = `application/json; charset=utf-8; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"`
	// WellKnownContentType is the links document's.
	WellKnownContentType = "application/json; charset=utf-8"

	// SoftwareName is the software.name this server reports (see the
	// package documentation).
	SoftwareName = "peertube"

	// cacheControl is PeerTube's 10-minute route cache for both documents.
	cacheControl = "max-age=600"
)

// Links is the /.well-known/nodeinfo document.
type Links struct {
	Links []Link `json:"links"`
}

// Link is one link of it.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// WellKnown returns PeerTube's /.well-known/nodeinfo for the instance at
// publicURL: the 2.0 document and the instance actor at actorPath (PeerTube:
// "/accounts/peertube").
func WellKnown(publicURL, actorPath string) Links {
	return Links{Links: []Link{
		{Rel: Schema20, Href: publicURL + Path},
		{Rel: RelApplication, Href: publicURL + actorPath},
	}}
}

// ServeWellKnown answers GET /.well-known/nodeinfo.
func ServeWellKnown(w http.ResponseWriter, _ *http.Request, publicURL, actorPath string) {
	writeJSON(w, WellKnownContentType, WellKnown(publicURL, actorPath))
}

// Document is a NodeInfo 2.0 document in PeerTube's shape and member order.
type Document struct {
	Version           string   `json:"version"`
	Software          Software `json:"software"`
	Protocols         []string `json:"protocols"`
	Services          Services `json:"services"`
	OpenRegistrations bool     `json:"openRegistrations"`
	Usage             Usage    `json:"usage"`
	Metadata          Metadata `json:"metadata"`
}

// Software names the server software (2.1 adds repository and homepage).
type Software struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

// Services lists the third-party services the server talks to.
type Services struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// Usage holds the counts the caller fills: users, local videos (posts) and
// local comments.
type Usage struct {
	Users         Users `json:"users"`
	LocalPosts    int64 `json:"localPosts"`
	LocalComments int64 `json:"localComments"`
}

// Users counts all users and those active in the last month and half year.
type Users struct {
	Total          int64 `json:"total"`
	ActiveMonth    int64 `json:"activeMonth"`
	ActiveHalfyear int64 `json:"activeHalfyear"`
}

// Metadata is PeerTube's metadata member.
type Metadata struct {
	Taxonomy struct {
		PostsName string `json:"postsName"`
	} `json:"taxonomy"`
	NodeName        string     `json:"nodeName"`
	NodeDescription string     `json:"nodeDescription"`
	NodeConfig      NodeConfig `json:"nodeConfig"`
}

// NodeConfig is PeerTube's summary of the instance's configuration, a
// subset of /api/v1/config in a shape of its own.
type NodeConfig struct {
	Search struct {
		RemoteURI struct {
			Users     bool `json:"users"`
			Anonymous bool `json:"anonymous"`
		} `json:"remoteUri"`
	} `json:"search"`
	Plugin struct {
		Registered []any `json:"registered"`
	} `json:"plugin"`
	Theme       serverconfig.Themes `json:"theme"`
	Email       serverconfig.Toggle `json:"email"`
	ContactForm serverconfig.Toggle `json:"contactForm"`
	Transcoding struct {
		HLS                serverconfig.Toggle `json:"hls"`
		WebVideos          serverconfig.Toggle `json:"web_videos"`
		EnabledResolutions []int               `json:"enabledResolutions"`
	} `json:"transcoding"`
	Live struct {
		Enabled     bool `json:"enabled"`
		Transcoding struct {
			Enabled            bool  `json:"enabled"`
			EnabledResolutions []int `json:"enabledResolutions"`
		} `json:"transcoding"`
	} `json:"live"`
	Import struct {
		Videos struct {
			HTTP    serverconfig.Toggle `json:"http"`
			Torrent serverconfig.Toggle `json:"torrent"`
		} `json:"videos"`
	} `json:"import"`
	AutoBlacklist serverconfig.AutoBlacklist `json:"autoBlacklist"`
	Avatar        serverconfig.FileRule      `json:"avatar"`
	Video         serverconfig.VideoRules    `json:"video"`
	VideoCaption  serverconfig.FileRule      `json:"videoCaption"`
	User          serverconfig.UserQuota     `json:"user"`
	Trending      struct {
		Videos struct {
			IntervalDays int `json:"intervalDays"`
		} `json:"videos"`
	} `json:"trending"`
	Tracker serverconfig.Toggle `json:"tracker"`
}

// Build returns the /nodeinfo/2.0.json document of an instance configured
// with s, with the usage counts u. The configuration values are those of
// /api/v1/config (serverconfig.Config), so the two never disagree.
func Build(s serverconfig.Settings, u Usage) Document {
	c := serverconfig.Config(s)
	d := Document{
		Version:           "2.0",
		Software:          Software{Name: SoftwareName, Version: c.ServerVersion},
		Protocols:         []string{"activitypub"},
		Services:          Services{Inbound: []string{}, Outbound: []string{"atom1.0", "rss2.0"}},
		OpenRegistrations: s.Signup.Enabled,
		Usage:             u,
	}
	m := &d.Metadata
	m.Taxonomy.PostsName = "Videos"
	m.NodeName = c.Instance.Name
	m.NodeDescription = c.Instance.ShortDescription

	n := &m.NodeConfig
	n.Search.RemoteURI.Users = c.Search.RemoteURI.Users
	n.Search.RemoteURI.Anonymous = c.Search.RemoteURI.Anonymous
	n.Plugin.Registered = nonNil(c.Plugin.Registered)
	n.Theme = serverconfig.Themes{Registered: nonNil(c.Theme.Registered), Default: c.Theme.Default}
	n.Email = c.Email
	n.ContactForm = c.ContactForm
	n.Transcoding.HLS = c.Transcoding.HLS
	n.Transcoding.WebVideos = c.Transcoding.WebVideos
	n.Transcoding.EnabledResolutions = nonNil(c.Transcoding.EnabledResolutions)
	n.Live.Enabled = c.Live.Enabled
	n.Live.Transcoding.Enabled = c.Live.Transcoding.Enabled
	n.Live.Transcoding.EnabledResolutions = nonNil(c.Live.Transcoding.EnabledResolutions)
	n.Import.Videos.HTTP = c.Import.Videos.HTTP
	n.Import.Videos.Torrent = c.Import.Videos.Torrent
	n.AutoBlacklist = c.AutoBlacklist
	n.Avatar = c.Avatar
	n.Video = c.Video
	n.VideoCaption = c.VideoCaption
	n.User = c.User
	n.Trending.Videos.IntervalDays = c.Trending.Videos.IntervalDays
	n.Tracker = c.Tracker
	return d
}

// Serve answers GET /nodeinfo/2.0.json with doc.
func Serve(w http.ResponseWriter, _ *http.Request, doc Document) {
	writeJSON(w, ContentType, doc)
}

// writeJSON writes v as Express does (compact, no HTML escaping, no
// trailing newline), with CORS open and PeerTube's cache lifetime.
func writeJSON(w http.ResponseWriter, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		problem.Write(w, nil, problem.Internal())
		return
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
