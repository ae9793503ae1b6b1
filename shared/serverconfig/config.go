package serverconfig

import (
	"slices"

	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// ServerConfig is the body of GET /api/v1/config, in PeerTube 6.1's shape
// and key order (packages/models/src/server/server-config.model.ts).
type ServerConfig struct {
	Client           ClientConfig     `json:"client"`
	Defaults         Defaults         `json:"defaults"`
	WebAdmin         WebAdmin         `json:"webadmin"`
	Instance         InstanceConfig   `json:"instance"`
	Search           Search           `json:"search"`
	Plugin           Plugins          `json:"plugin"`
	Theme            Themes           `json:"theme"`
	Email            Toggle           `json:"email"`
	ContactForm      Toggle           `json:"contactForm"`
	ServerVersion    string           `json:"serverVersion"`
	ServerCommit     string           `json:"serverCommit"`
	Transcoding      TranscodingInfo  `json:"transcoding"`
	Live             Live             `json:"live"`
	VideoStudio      VideoStudio      `json:"videoStudio"`
	VideoFile        VideoFile        `json:"videoFile"`
	Import           Import           `json:"import"`
	Export           Export           `json:"export"`
	AutoBlacklist    AutoBlacklist    `json:"autoBlacklist"`
	Avatar           FileRule         `json:"avatar"`
	Banner           FileRule         `json:"banner"`
	Video            VideoRules       `json:"video"`
	VideoCaption     FileRule         `json:"videoCaption"`
	User             UserQuota        `json:"user"`
	VideoChannels    VideoChannels    `json:"videoChannels"`
	Trending         Trending         `json:"trending"`
	Tracker          Toggle           `json:"tracker"`
	Followings       Followings       `json:"followings"`
	BroadcastMessage BroadcastMessage `json:"broadcastMessage"`
	Homepage         Toggle           `json:"homepage"`
	OpenTelemetry    OpenTelemetry    `json:"openTelemetry"`
	Views            Views            `json:"views"`
	Storyboards      Toggle           `json:"storyboards"`
	Signup           SignupInfo       `json:"signup"`
}

// Toggle is PeerTube's {"enabled": bool}.
type Toggle struct {
	Enabled bool `json:"enabled"`
}

// ClientConfig is the web client's configuration.
type ClientConfig struct {
	Videos struct {
		Miniature struct {
			DisplayAuthorAvatar     bool `json:"displayAuthorAvatar"`
			PreferAuthorDisplayName bool `json:"preferAuthorDisplayName"`
		} `json:"miniature"`
		ResumableUpload struct {
			// MaxChunkSize is in bytes; 0 lets the client choose.
			MaxChunkSize int64 `json:"maxChunkSize"`
		} `json:"resumableUpload"`
	} `json:"videos"`
	Menu struct {
		Login struct {
			RedirectOnSingleExternalAuth bool `json:"redirectOnSingleExternalAuth"`
		} `json:"login"`
	} `json:"menu"`
}

// Defaults are the upload form's and player's defaults.
type Defaults struct {
	Publish struct {
		DownloadEnabled bool `json:"downloadEnabled"`
		CommentsEnabled bool `json:"commentsEnabled"`
		Privacy         int  `json:"privacy"`
		Licence         *int `json:"licence"`
	} `json:"publish"`
	P2P struct {
		Webapp Toggle `json:"webapp"`
		Embed  Toggle `json:"embed"`
	} `json:"p2p"`
}

// WebAdmin says whether admins may edit the configuration in the web client.
type WebAdmin struct {
	Configuration struct {
		Edition struct {
			Allowed bool `json:"allowed"`
		} `json:"edition"`
	} `json:"configuration"`
}

// InstanceConfig is the instance summary of /config.
type InstanceConfig struct {
	Name               string              `json:"name"`
	ShortDescription   string              `json:"shortDescription"`
	IsNSFW             bool                `json:"isNSFW"`
	DefaultNSFWPolicy  taxonomy.NSFWPolicy `json:"defaultNSFWPolicy"`
	DefaultClientRoute string              `json:"defaultClientRoute"`
	Customizations     struct {
		JavaScript string `json:"javascript"`
		CSS        string `json:"css"`
	} `json:"customizations"`
	Avatars []ActorImage `json:"avatars"`
	Banners []ActorImage `json:"banners"`
}

// Search is what search may reach.
type Search struct {
	RemoteURI struct {
		Users     bool `json:"users"`
		Anonymous bool `json:"anonymous"`
	} `json:"remoteUri"`
	SearchIndex struct {
		Enabled            bool   `json:"enabled"`
		URL                string `json:"url"`
		DisableLocalSearch bool   `json:"disableLocalSearch"`
		IsDefaultSearch    bool   `json:"isDefaultSearch"`
	} `json:"searchIndex"`
}

// Plugins lists registered plugins. This server has no plugin system, so the
// lists are always empty.
type Plugins struct {
	Registered               []any `json:"registered"`
	RegisteredExternalAuths  []any `json:"registeredExternalAuths"`
	RegisteredIDAndPassAuths []any `json:"registeredIdAndPassAuths"`
}

// Themes lists registered themes (always empty: no theme system) and the
// default theme.
type Themes struct {
	Registered []any  `json:"registered"`
	Default    string `json:"default"`
}

// TranscodingInfo describes VOD transcoding.
type TranscodingInfo struct {
	RemoteRunners      Toggle   `json:"remoteRunners"`
	HLS                Toggle   `json:"hls"`
	WebVideos          Toggle   `json:"web_videos"`
	EnabledResolutions []int    `json:"enabledResolutions"`
	Profile            string   `json:"profile"`
	AvailableProfiles  []string `json:"availableProfiles"`
}

// Live describes live streaming.
type Live struct {
	Enabled          bool   `json:"enabled"`
	AllowReplay      bool   `json:"allowReplay"`
	LatencySetting   Toggle `json:"latencySetting"`
	MaxDuration      int64  `json:"maxDuration"`
	MaxInstanceLives int    `json:"maxInstanceLives"`
	MaxUserLives     int    `json:"maxUserLives"`
	Transcoding      struct {
		Enabled            bool     `json:"enabled"`
		RemoteRunners      Toggle   `json:"remoteRunners"`
		EnabledResolutions []int    `json:"enabledResolutions"`
		Profile            string   `json:"profile"`
		AvailableProfiles  []string `json:"availableProfiles"`
	} `json:"transcoding"`
	RTMP struct {
		Port int `json:"port"`
	} `json:"rtmp"`
}

// VideoStudio describes the video editor.
type VideoStudio struct {
	Enabled       bool   `json:"enabled"`
	RemoteRunners Toggle `json:"remoteRunners"`
}

// VideoFile says whether a video's file may be replaced.
type VideoFile struct {
	Update Toggle `json:"update"`
}

// Import describes video, channel and user imports.
type Import struct {
	Videos struct {
		HTTP    Toggle `json:"http"`
		Torrent Toggle `json:"torrent"`
	} `json:"videos"`
	VideoChannelSynchronization Toggle `json:"videoChannelSynchronization"`
	Users                       Toggle `json:"users"`
}

// Export describes user archive exports.
type Export struct {
	Users struct {
		Enabled bool `json:"enabled"`
		// ExportExpiration is in milliseconds, MaxUserVideoQuota in bytes.
		ExportExpiration  int64 `json:"exportExpiration"`
		MaxUserVideoQuota int64 `json:"maxUserVideoQuota"`
	} `json:"users"`
}

// AutoBlacklist says whether new videos of users wait for moderation.
type AutoBlacklist struct {
	Videos struct {
		OfUsers Toggle `json:"ofUsers"`
	} `json:"videos"`
}

// SizeLimit is {"max": bytes}.
type SizeLimit struct {
	Max int64 `json:"max"`
}

// FileRule is an upload rule in the {file:{size,extensions}} shape of
// avatar, banner and videoCaption.
type FileRule struct {
	File struct {
		Size       SizeLimit `json:"size"`
		Extensions []string  `json:"extensions"`
	} `json:"file"`
}

// VideoRules are the upload rules of video images and files.
type VideoRules struct {
	Image struct {
		Extensions []string  `json:"extensions"`
		Size       SizeLimit `json:"size"`
	} `json:"image"`
	File struct {
		Extensions []string `json:"extensions"`
	} `json:"file"`
}

// UserQuota holds new users' quotas in bytes (-1 unlimited).
type UserQuota struct {
	VideoQuota      int64 `json:"videoQuota"`
	VideoQuotaDaily int64 `json:"videoQuotaDaily"`
}

// VideoChannels caps channels per user.
type VideoChannels struct {
	MaxPerUser int `json:"maxPerUser"`
}

// Trending describes the trending algorithms.
type Trending struct {
	Videos struct {
		IntervalDays int `json:"intervalDays"`
		Algorithms   struct {
			Enabled []string `json:"enabled"`
			Default string   `json:"default"`
		} `json:"algorithms"`
	} `json:"videos"`
}

// Followings describes automatic instance follows.
type Followings struct {
	Instance struct {
		AutoFollowIndex struct {
			IndexURL string `json:"indexUrl"`
		} `json:"autoFollowIndex"`
	} `json:"instance"`
}

// BroadcastMessage is the banner shown to every visitor.
type BroadcastMessage struct {
	Enabled     bool   `json:"enabled"`
	Message     string `json:"message"`
	Level       string `json:"level"`
	Dismissable bool   `json:"dismissable"`
}

// OpenTelemetry describes client metrics.
type OpenTelemetry struct {
	Metrics struct {
		Enabled bool `json:"enabled"`
		// PlaybackStatsInterval is in milliseconds.
		PlaybackStatsInterval int64 `json:"playbackStatsInterval"`
	} `json:"metrics"`
}

// Views sets how often players report watching (milliseconds).
type Views struct {
	Videos struct {
		WatchingInterval struct {
			Anonymous int64 `json:"anonymous"`
			Users     int64 `json:"users"`
		} `json:"watchingInterval"`
	} `json:"videos"`
}

// SignupInfo says whether and how visitors may register.
type SignupInfo struct {
	Allowed                   bool `json:"allowed"`
	AllowedForCurrentIP       bool `json:"allowedForCurrentIP"`
	MinimumAge                int  `json:"minimumAge"`
	RequiresApproval          bool `json:"requiresApproval"`
	RequiresEmailVerification bool `json:"requiresEmailVerification"`
}

// Fixed values that follow PeerTube 6.x (constants.ts and default.yaml).
var (
	// actorImageExtensions is CONSTRAINTS_FIELDS.ACTORS.IMAGE.EXTNAME.
	actorImageExtensions = []string{".png", ".jpeg", ".jpg", ".gif", ".webp"}
	// videoImageExtensions is CONSTRAINTS_FIELDS.VIDEOS.IMAGE.EXTNAME.
	videoImageExtensions = []string{".png", ".jpg", ".jpeg", ".webp"}
	// captionExtensions is CONSTRAINTS_FIELDS.VIDEO_CAPTIONS.CAPTION_FILE.EXTNAME.
	captionExtensions = []string{".vtt", ".srt"}
	// trendingAlgorithms are the sorts GET /videos accepts for trending.
	trendingAlgorithms = []string{"hot", "most-viewed", "most-liked"}
)

const (
	transcodingProfile      = "default"
	trendingIntervalDays    = 7
	trendingDefault         = "most-viewed"
	watchingIntervalMs      = 5000
	playbackStatsIntervalMs = 15000
	// PeerTube's export defaults, reported although export is disabled.
	exportExpirationMs    = 2 * 24 * 3600 * 1000
	exportMaxUserQuota    = 10 << 30
	defaultRTMPPort       = 1935
	unlimitedLiveDuration = -1
	defaultBroadcastLevel = "info"
	defaultThemeName      = "default"
)

// Config builds the body of GET /api/v1/config from s.
func Config(s Settings) ServerConfig {
	var c ServerConfig

	c.Client.Videos.ResumableUpload.MaxChunkSize = s.MaxChunkSize

	c.Defaults.Publish.DownloadEnabled = s.DefaultPublish.DownloadEnabled
	c.Defaults.Publish.CommentsEnabled = s.DefaultPublish.CommentsEnabled
	c.Defaults.Publish.Privacy = s.DefaultPublish.Privacy
	if l := s.DefaultPublish.Licence; l != nil {
		v := *l
		c.Defaults.Publish.Licence = &v
	}
	c.Defaults.P2P.Webapp.Enabled = s.P2PWebapp
	c.Defaults.P2P.Embed.Enabled = s.P2PEmbed

	// The configuration comes from the deployment, not from the web client.
	c.WebAdmin.Configuration.Edition.Allowed = false

	c.Instance = InstanceConfig{
		Name:               s.Instance.Name,
		ShortDescription:   s.Instance.ShortDescription,
		IsNSFW:             s.Instance.IsNSFW,
		DefaultNSFWPolicy:  s.Instance.DefaultNSFWPolicy,
		DefaultClientRoute: s.Instance.DefaultClientRoute,
		Avatars:            nonNil(slices.Clone(s.Instance.Avatars)),
		Banners:            nonNil(slices.Clone(s.Instance.Banners)),
	}

	c.Search.RemoteURI.Users = s.SearchRemoteURIUsers
	c.Search.RemoteURI.Anonymous = s.SearchRemoteURIAnonymous

	c.Plugin = Plugins{Registered: []any{}, RegisteredExternalAuths: []any{}, RegisteredIDAndPassAuths: []any{}}
	c.Theme = Themes{Registered: []any{}, Default: defaultThemeName}

	c.Email.Enabled = s.EmailEnabled
	c.ContactForm.Enabled = s.ContactFormEnabled
	c.ServerVersion = s.ServerVersion
	c.ServerCommit = s.ServerCommit

	t := s.Transcoding
	c.Transcoding = TranscodingInfo{
		HLS:                Toggle{Enabled: t.Enabled && t.HLS},
		WebVideos:          Toggle{Enabled: t.Enabled && t.WebVideos},
		EnabledResolutions: []int{},
		Profile:            transcodingProfile,
		AvailableProfiles:  []string{transcodingProfile},
	}
	if t.Enabled {
		c.Transcoding.EnabledResolutions = sortedUnique(t.Resolutions)
	}

	// No live streaming: nothing listens for RTMP and no live may be created.
	c.Live.MaxDuration = unlimitedLiveDuration
	c.Live.Transcoding.EnabledResolutions = []int{}
	c.Live.Transcoding.Profile = transcodingProfile
	c.Live.Transcoding.AvailableProfiles = []string{transcodingProfile}
	c.Live.RTMP.Port = defaultRTMPPort

	// No video studio, file replacement, imports, user export or
	// auto-blacklist: all stay disabled (zero values).
	c.Export.Users.ExportExpiration = exportExpirationMs
	c.Export.Users.MaxUserVideoQuota = exportMaxUserQuota

	c.Avatar = fileRule(s.ActorImageMaxSize, actorImageExtensions)
	c.Banner = fileRule(s.ActorImageMaxSize, actorImageExtensions)
	c.Video.Image.Extensions = slices.Clone(videoImageExtensions)
	c.Video.Image.Size.Max = s.VideoImageMaxSize
	c.Video.File.Extensions = nonNil(slices.Clone(s.VideoExtensions))
	c.VideoCaption = fileRule(s.CaptionMaxSize, captionExtensions)

	c.User = UserQuota{VideoQuota: s.UserVideoQuota, VideoQuotaDaily: s.UserVideoQuotaDaily}
	c.VideoChannels.MaxPerUser = s.MaxChannelsPerUser

	c.Trending.Videos.IntervalDays = trendingIntervalDays
	c.Trending.Videos.Algorithms.Enabled = slices.Clone(trendingAlgorithms)
	c.Trending.Videos.Algorithms.Default = trendingDefault

	c.Tracker.Enabled = s.TrackerEnabled
	c.BroadcastMessage.Level = defaultBroadcastLevel
	c.OpenTelemetry.Metrics.PlaybackStatsInterval = playbackStatsIntervalMs
	c.Views.Videos.WatchingInterval.Anonymous = watchingIntervalMs
	c.Views.Videos.WatchingInterval.Users = watchingIntervalMs
	c.Storyboards.Enabled = s.StoryboardsEnabled

	c.Signup = SignupInfo{
		Allowed:                   signupAllowed(s.Signup),
		AllowedForCurrentIP:       s.Signup.AllowedForCurrentIP,
		MinimumAge:                s.Signup.MinimumAge,
		RequiresApproval:          s.Signup.RequiresApproval,
		RequiresEmailVerification: s.Signup.RequiresEmailVerification,
	}
	return c
}

// signupAllowed follows PeerTube's isSignupAllowed for the mode /config
// asks about (registration requests when approval is required, direct
// registration otherwise): signup is on and the user limit is not reached.
// The address check is separate (allowedForCurrentIP).
func signupAllowed(s Signup) bool {
	if !s.Enabled {
		return false
	}
	return s.Limit == -1 || s.TotalUsers < s.Limit
}

func fileRule(maxBytes int64, extensions []string) FileRule {
	var r FileRule
	r.File.Size.Max = maxBytes
	r.File.Extensions = slices.Clone(extensions)
	return r
}

// sortedUnique returns the resolutions in ascending order without repeats.
func sortedUnique(in []int) []int {
	out := slices.Clone(in)
	slices.Sort(out)
	return nonNil(slices.Compact(out))
}

// nonNil turns a nil slice into an empty one, so it marshals as [] (PeerTube
// never sends null for these lists).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
