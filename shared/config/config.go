package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is everything an instance is configured with.
type Config struct {
	// Port is the local HTTP port (make run).
	Port int
	// PublicURL is the instance's public origin, e.g. https://video.example
	// (no path, no trailing slash).
	PublicURL string
	// DataDir holds the local instance's durable state (make run).
	DataDir string
	// AdminPassword is root's password; when empty locally, one is
	// generated on first start.
	AdminPassword string
	// AdminEmail is root's email address.
	AdminEmail string

	InstanceName             string
	InstanceShortDescription string
	SignupEnabled            bool
	SignupRequiresApproval   bool
	// UserVideoQuota and UserVideoQuotaDaily are new users' quotas in
	// bytes; -1 is unlimited.
	UserVideoQuota      int64
	UserVideoQuotaDaily int64
	// MaxChannelsPerUser caps the channels one user may own.
	MaxChannelsPerUser int

	// LoginLimit and SignupLimit are per-IP rate limits.
	LoginLimit  RateLimit
	SignupLimit RateLimit

	// TrustedProxyHops is how many proxies in front of the instance may be
	// believed (CloudFront: 1). With it, the public host comes from
	// X-Forwarded-Host and the client's address from X-Forwarded-For (the
	// entry the outermost trusted proxy appended). 0 trusts neither.
	TrustedProxyHops int

	// LogLevel is debug, info, warn or error; LogFormat is json or text.
	LogLevel  string
	LogFormat string

	// Resolutions are the enabled transcoding heights.
	Resolutions []int
	// ChunkSeconds is the chunk length of parallel transcoding (long
	// inputs are cut into chunks encoded by different consumers).
	ChunkSeconds float64
	// TranscodeWorkers is how many transcode jobs a local instance runs
	// at once (in AWS, Lambda scales them).
	TranscodeWorkers int

	// TableName, MediaBucket, TranscodeQueueURL: the AWS resources
	// (deployed shape only).
	TableName         string
	MediaBucket       string
	TranscodeQueueURL string
	// InboxQueueURL, DeliverQueueURL and DeliverDLQURL are the federation
	// queues in AWS: activities received (the inboxes send, the inbox
	// function consumes), deliveries (the outbox and the deliverer send,
	// the deliver function consumes) and deliveries that failed for good.
	InboxQueueURL   string
	DeliverQueueURL string
	DeliverDLQURL   string
	// KEKSecretARN names the Secrets Manager secret holding the
	// key-encryption key of actors' private keys (deployed shape only;
	// locally it is a file in DataDir).
	KEKSecretARN string

	// FederationAllowPrivate lets federation reach private, loopback and
	// CGNAT addresses: an instance federating inside a private network.
	FederationAllowPrivate bool
	// FederationCAFile names a PEM file of extra root certificates that
	// federation trusts besides the system's (peers behind a private CA).
	FederationCAFile string

	// WebAssetsDir holds webtorrent's browser bundle and service worker
	// (npm webtorrent's dist/), which the player pages serve; without them
	// the pages play over plain HTTP.
	WebAssetsDir string
	// SeedEnabled runs the WebRTC seed (locally, in the instance's process).
	SeedEnabled bool
	// SeedUploadRate caps the seed's upload in bytes per second (0: none).
	SeedUploadRate int64
	// STUNServers are the ICE servers the seed offers candidates through
	// (stun: URLs); none is needed on one machine or network.
	STUNServers []string
	// TrackerAnnounceLimit is how many announces the tracker takes per IP
	// and infohash in 5 minutes (PeerTube's 15); 0 turns the tracker's
	// per-IP limits off (many viewers behind one address, benchmarks).
	TrackerAnnounceLimit int64
}

// RateLimit allows Max events per Window.
type RateLimit struct {
	Max    int64
	Window time.Duration
}

// Defaults returns the settings of an instance configured with nothing,
// following PeerTube's defaults where we do the same thing.
func Defaults() Config {
	return Config{
		Port:                     9000,
		DataDir:                  "./.data",
		InstanceName:             "Vidiverse",
		InstanceShortDescription: "A serverless, federated video platform compatible with PeerTube.",
		UserVideoQuota:           -1,
		UserVideoQuotaDaily:      -1,
		MaxChannelsPerUser:       20,
		LoginLimit:               RateLimit{Max: 15, Window: 5 * time.Minute},
		SignupLimit:              RateLimit{Max: 2, Window: 5 * time.Minute},
		LogLevel:                 "info",
		LogFormat:                "json",
		Resolutions:              []int{240, 360, 480, 720, 1080},
		ChunkSeconds:             60,
		TranscodeWorkers:         2,
		SeedEnabled:              true,
		TrackerAnnounceLimit:     15,
	}
}

// FromEnv reads the configuration from getenv (os.Getenv in mains).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Defaults()
	r := reader{getenv: getenv}
	c.Port = int(r.int("PORT", int64(c.Port)))
	c.PublicURL = r.str("PUBLIC_URL", fmt.Sprintf("http://localhost:%d", c.Port))
	c.DataDir = r.str("DATA_DIR", c.DataDir)
	c.AdminPassword = getenv("ADMIN_PASSWORD")
	c.AdminEmail = r.str("ADMIN_EMAIL", "admin@example.com")
	c.InstanceName = r.str("INSTANCE_NAME", c.InstanceName)
	c.InstanceShortDescription = r.str("INSTANCE_SHORT_DESCRIPTION", c.InstanceShortDescription)
	c.SignupEnabled = r.bool("SIGNUP_ENABLED", c.SignupEnabled)
	c.SignupRequiresApproval = r.bool("SIGNUP_REQUIRES_APPROVAL", c.SignupRequiresApproval)
	c.UserVideoQuota = r.int("USER_VIDEO_QUOTA", c.UserVideoQuota)
	c.UserVideoQuotaDaily = r.int("USER_VIDEO_QUOTA_DAILY", c.UserVideoQuotaDaily)
	c.MaxChannelsPerUser = int(r.int("MAX_CHANNELS_PER_USER", int64(c.MaxChannelsPerUser)))
	c.LoginLimit.Max = r.int("LOGIN_RATE_LIMIT", c.LoginLimit.Max)
	c.SignupLimit.Max = r.int("SIGNUP_RATE_LIMIT", c.SignupLimit.Max)
	c.LogLevel = r.str("LOG_LEVEL", c.LogLevel)
	c.LogFormat = r.str("LOG_FORMAT", c.LogFormat)
	c.Resolutions = r.ints("TRANSCODING_RESOLUTIONS", c.Resolutions)
	c.ChunkSeconds = float64(r.int("TRANSCODING_CHUNK_SECONDS", int64(c.ChunkSeconds)))
	c.TranscodeWorkers = int(r.int("TRANSCODE_WORKERS", int64(c.TranscodeWorkers)))
	c.TrustedProxyHops = int(r.int("TRUSTED_PROXY_HOPS", 0))
	c.TableName = getenv("TABLE_NAME")
	c.MediaBucket = getenv("MEDIA_BUCKET")
	c.TranscodeQueueURL = getenv("TRANSCODE_QUEUE_URL")
	c.InboxQueueURL = r.str("INBOX_QUEUE_URL", "")
	c.DeliverQueueURL = r.str("DELIVER_QUEUE_URL", "")
	c.DeliverDLQURL = r.str("DELIVER_DLQ_URL", "")
	c.KEKSecretARN = r.str("KEK_SECRET_ARN", "")
	c.FederationAllowPrivate = r.bool("FEDERATION_ALLOW_PRIVATE", c.FederationAllowPrivate)
	c.FederationCAFile = r.str("FEDERATION_CA_FILE", "")
	c.WebAssetsDir = r.str("WEB_ASSETS_DIR", "")
	c.SeedEnabled = r.bool("SEED_ENABLED", c.SeedEnabled)
	c.SeedUploadRate = r.int("SEED_UPLOAD_RATE", c.SeedUploadRate)
	c.STUNServers = r.list("STUN_SERVERS", c.STUNServers)
	c.TrackerAnnounceLimit = r.int("TRACKER_ANNOUNCE_LIMIT", c.TrackerAnnounceLimit)
	if r.err != nil {
		return c, r.err
	}
	return c, c.Validate()
}

// Validate checks values that FromEnv cannot check one by one.
func (c *Config) Validate() error {
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("config: PORT %d out of range", c.Port)
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("config: PUBLIC_URL %q must be an http(s) origin like https://video.example", c.PublicURL)
	}
	c.PublicURL = u.Scheme + "://" + u.Host
	if c.AdminPassword != "" && len(c.AdminPassword) < 6 {
		return fmt.Errorf("config: ADMIN_PASSWORD must have at least 6 characters")
	}
	if c.UserVideoQuota < -1 || c.UserVideoQuotaDaily < -1 {
		return fmt.Errorf("config: video quotas must be -1 (unlimited) or a byte count")
	}
	if c.MaxChannelsPerUser < 1 {
		return fmt.Errorf("config: MAX_CHANNELS_PER_USER must be at least 1")
	}
	if c.LoginLimit.Max < 1 || c.SignupLimit.Max < 1 {
		return fmt.Errorf("config: rate limits must be at least 1")
	}
	for _, h := range c.Resolutions {
		if !slices.Contains([]int{144, 240, 360, 480, 720, 1080, 1440, 2160}, h) {
			return fmt.Errorf("config: TRANSCODING_RESOLUTIONS has %d; allowed: 144 240 360 480 720 1080 1440 2160", h)
		}
	}
	if c.ChunkSeconds < 8 || int(c.ChunkSeconds)%4 != 0 {
		return fmt.Errorf("config: TRANSCODING_CHUNK_SECONDS must be a multiple of 4, at least 8")
	}
	if c.TrackerAnnounceLimit < 0 {
		return fmt.Errorf("config: TRACKER_ANNOUNCE_LIMIT must be 0 (no per-IP limits) or more")
	}
	if c.SeedUploadRate < 0 {
		return fmt.Errorf("config: SEED_UPLOAD_RATE must be a byte rate, 0 for none")
	}
	for _, s := range c.STUNServers {
		if !strings.HasPrefix(s, "stun:") && !strings.HasPrefix(s, "stuns:") {
			return fmt.Errorf("config: STUN_SERVERS has %q; each must be a stun: or stuns: URL", s)
		}
	}
	if c.TrustedProxyHops < 0 || c.TrustedProxyHops > 5 {
		return fmt.Errorf("config: TRUSTED_PROXY_HOPS must be 0 to 5")
	}
	if c.TranscodeWorkers < 1 || c.TranscodeWorkers > 64 {
		return fmt.Errorf("config: TRANSCODE_WORKERS must be 1 to 64")
	}
	for _, q := range []struct{ name, url string }{
		{"TRANSCODE_QUEUE_URL", c.TranscodeQueueURL}, {"INBOX_QUEUE_URL", c.InboxQueueURL},
		{"DELIVER_QUEUE_URL", c.DeliverQueueURL}, {"DELIVER_DLQ_URL", c.DeliverDLQURL},
	} {
		if u, err := url.Parse(q.url); q.url != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return fmt.Errorf("config: %s %q must be a queue's http(s) URL", q.name, q.url)
		}
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("config: LOG_FORMAT %q must be json or text", c.LogFormat)
	}
	return nil
}

// Host is the public host[:port], as clients send it in Host headers.
func (c Config) Host() string {
	u, _ := url.Parse(c.PublicURL)
	return u.Host
}

type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) int(name string, def int64) int64 {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("config: %s=%q is not an integer", name, v)
	}
	return n
}

// ints reads a comma- or space-separated list of integers.
func (r *reader) ints(name string, def []int) []int {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("config: %s=%q is not a list of integers", name, v)
		}
		out = append(out, n)
	}
	return out
}

// list reads a comma- or space-separated list of strings.
func (r *reader) list(name string, def []string) []string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	return strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' })
}

func (r *reader) bool(name string, def bool) bool {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("config: %s=%q is not a boolean", name, v)
	}
	return b
}
