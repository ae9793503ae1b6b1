package serverconfig

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// APIVersion is the PeerTube version whose REST API this server speaks; it
// is the default serverVersion, which clients read to choose API features.
const APIVersion = "6.1.0"

// Settings is what /api/v1/config and /api/v1/config/about report about the
// instance. Fields marked per-request are filled by the handler for each
// request.
type Settings struct {
	Instance Instance
	Signup   Signup

	// UserVideoQuota and UserVideoQuotaDaily are new users' quotas in
	// bytes; -1 is unlimited.
	UserVideoQuota      int64
	UserVideoQuotaDaily int64
	// MaxChannelsPerUser caps the channels one user may own.
	MaxChannelsPerUser int

	Transcoding Transcoding

	// MaxChunkSize is the largest resumable-upload chunk in bytes that
	// clients should send; 0 lets the client choose (PeerTube's null).
	MaxChunkSize int64
	// VideoExtensions are the video file extensions uploads accept
	// (with the dot, lower case).
	VideoExtensions []string
	// ActorImageMaxSize (avatars, banners), VideoImageMaxSize (thumbnails,
	// previews) and CaptionMaxSize are upload limits in bytes.
	ActorImageMaxSize int64
	VideoImageMaxSize int64
	CaptionMaxSize    int64

	// DefaultPublish holds the defaults the upload form starts with.
	DefaultPublish DefaultPublish

	// P2PWebapp and P2PEmbed turn P2P on by default in the web player and
	// the embed; TrackerEnabled says whether the instance runs a tracker.
	P2PWebapp      bool
	P2PEmbed       bool
	TrackerEnabled bool

	// SearchRemoteURIUsers and SearchRemoteURIAnonymous allow logged-in
	// and anonymous users to fetch remote videos and actors by URL or handle.
	SearchRemoteURIUsers     bool
	SearchRemoteURIAnonymous bool

	// EmailEnabled says whether the instance can send email;
	// ContactFormEnabled whether the contact form is offered.
	EmailEnabled       bool
	ContactFormEnabled bool

	// StoryboardsEnabled says whether storyboards are generated.
	StoryboardsEnabled bool

	// ServerVersion is the PeerTube version reported to clients
	// (APIVersion by default); ServerCommit the build's commit, or empty.
	ServerVersion string
	ServerCommit  string
}

// Instance describes the instance (the about page and the header).
type Instance struct {
	Name             string
	ShortDescription string
	// The following fields support Markdown.
	Description           string
	Terms                 string
	CodeOfConduct         string
	ModerationInformation string
	CreationReason        string
	Administrator         string
	MaintenanceLifetime   string
	BusinessModel         string
	HardwareInformation   string

	// Languages (codes) spoken and Categories (ids) hosted on the instance.
	Languages  []string
	Categories []int

	IsNSFW            bool
	DefaultNSFWPolicy taxonomy.NSFWPolicy
	// DefaultClientRoute is the web client's landing page.
	DefaultClientRoute string

	// Avatars and Banners of the instance (the server actor).
	Avatars []ActorImage
	Banners []ActorImage
}

// Signup holds the registration settings.
type Signup struct {
	Enabled bool
	// Limit is the number of users past which signup closes; -1 is unlimited.
	Limit                     int
	MinimumAge                int
	RequiresApproval          bool
	RequiresEmailVerification bool

	// TotalUsers is the current number of users (per-request, compared
	// with Limit).
	TotalUsers int
	// AllowedForCurrentIP says whether the requesting address may sign up
	// (per-request).
	AllowedForCurrentIP bool
}

// Transcoding describes what the transcoder produces.
type Transcoding struct {
	Enabled   bool
	HLS       bool
	WebVideos bool
	// Resolutions are the rendition heights produced (up to the source's);
	// 0 is audio only.
	Resolutions []int
}

// DefaultPublish holds upload-form defaults.
type DefaultPublish struct {
	DownloadEnabled bool
	CommentsEnabled bool
	Privacy         int
	// Licence is nil for no licence.
	Licence *int
}

// ActorImage is an avatar or banner as PeerTube 6.x formats it.
type ActorImage struct {
	Width     int    `json:"width"`
	Path      string `json:"path"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// DefaultSettings returns the settings of an instance configured with
// nothing: PeerTube 6.x's defaults (config/default.yaml) where this server
// does the same thing, and this server's own behaviour where it differs.
func DefaultSettings() Settings {
	return Settings{
		Instance: Instance{
			Name:               "Vidiverse",
			ShortDescription:   "A federated video platform compatible with PeerTube.",
			Description:        "Welcome to this PeerTube instance!",
			Terms:              "No terms for now.",
			DefaultNSFWPolicy:  taxonomy.NSFWDoNotList,
			DefaultClientRoute: "/videos/trending",
		},
		Signup: Signup{
			Enabled:             false,
			Limit:               10,
			MinimumAge:          16,
			RequiresApproval:    true,
			AllowedForCurrentIP: true,
		},
		UserVideoQuota:      -1,
		UserVideoQuotaDaily: -1,
		MaxChannelsPerUser:  20,
		// The transcoder always builds a ladder of H.264 web videos and
		// HLS renditions up to the source's height.
		Transcoding: Transcoding{
			Enabled:     true,
			HLS:         true,
			WebVideos:   true,
			Resolutions: []int{240, 360, 480, 720, 1080},
		},
		// A Lambda event is capped at 6 MB and API Gateway base64-encodes
		// binary bodies, so a resumable chunk must stay at 4 MiB (PeerTube's
		// default null lets clients pick up to ~100 MB). shared/upload
		// refuses larger chunks (its DefaultMaxChunkSize; a test in
		// shared/api holds the two equal).
		MaxChunkSize: 4 << 20,
		VideoExtensions: []string{
			".mp4", ".webm", ".ogv", ".mkv", ".mov", ".m4v", ".avi", ".wmv", ".flv",
			".3gp", ".mts", ".m2ts", ".mpg", ".mpeg", ".mxf", ".nut",
		},
		ActorImageMaxSize: 4 << 20,
		VideoImageMaxSize: 4 << 20,
		CaptionMaxSize:    20 << 20,
		DefaultPublish: DefaultPublish{
			DownloadEnabled: true,
			CommentsEnabled: true,
			Privacy:         taxonomy.PrivacyPublic,
		},
		P2PWebapp:                true,
		P2PEmbed:                 true,
		TrackerEnabled:           true,
		SearchRemoteURIUsers:     true,
		SearchRemoteURIAnonymous: false,
		// No email transport, so no contact form (PeerTube lists the form
		// as enabled by default but cannot deliver it without email either).
		EmailEnabled:       false,
		ContactFormEnabled: false,
		StoryboardsEnabled: false,
		ServerVersion:      APIVersion,
	}
}

// Validate reports settings that would make the documents lie or break
// clients: unknown NSFW policy, language, category, privacy or licence,
// malformed extensions or negative limits.
func (s Settings) Validate() error {
	var errs []error
	if !s.Instance.DefaultNSFWPolicy.Valid() {
		errs = append(errs, fmt.Errorf("instance default NSFW policy %q is not one of %v", s.Instance.DefaultNSFWPolicy, taxonomy.NSFWPolicies()))
	}
	if strings.TrimSpace(s.Instance.Name) == "" {
		errs = append(errs, errors.New("instance name is empty"))
	}
	for _, code := range s.Instance.Languages {
		if _, ok := taxonomy.LanguageLabel(code); !ok {
			errs = append(errs, fmt.Errorf("instance language %q is unknown", code))
		}
	}
	for _, id := range s.Instance.Categories {
		if _, ok := taxonomy.CategoryLabel(id); !ok {
			errs = append(errs, fmt.Errorf("instance category %d is unknown", id))
		}
	}
	if _, ok := taxonomy.PrivacyLabel(s.DefaultPublish.Privacy); !ok {
		errs = append(errs, fmt.Errorf("default privacy %d is unknown", s.DefaultPublish.Privacy))
	}
	if l := s.DefaultPublish.Licence; l != nil {
		if _, ok := taxonomy.LicenceLabel(*l); !ok {
			errs = append(errs, fmt.Errorf("default licence %d is unknown", *l))
		}
	}
	if s.UserVideoQuota < -1 || s.UserVideoQuotaDaily < -1 {
		errs = append(errs, errors.New("video quotas must be -1 (unlimited) or positive"))
	}
	if s.Signup.Limit < -1 {
		errs = append(errs, fmt.Errorf("signup limit %d must be -1 (unlimited) or positive", s.Signup.Limit))
	}
	if s.MaxChunkSize < 0 {
		errs = append(errs, fmt.Errorf("max chunk size %d is negative", s.MaxChunkSize))
	}
	for _, r := range s.Transcoding.Resolutions {
		if r < 0 {
			errs = append(errs, fmt.Errorf("transcoding resolution %d is negative", r))
		}
	}
	for _, ext := range s.VideoExtensions {
		if !strings.HasPrefix(ext, ".") || ext != strings.ToLower(ext) || len(ext) < 2 {
			errs = append(errs, fmt.Errorf("video extension %q must be a lower-case .ext", ext))
		}
	}
	if slices.ContainsFunc([]int64{s.ActorImageMaxSize, s.VideoImageMaxSize, s.CaptionMaxSize}, func(n int64) bool { return n <= 0 }) {
		errs = append(errs, errors.New("image and caption size limits must be positive"))
	}
	return errors.Join(errs...)
}
