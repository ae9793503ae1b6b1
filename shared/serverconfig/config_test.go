package serverconfig

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// decode marshals a document and decodes it generically, so the checks see
// what a client sees.
func decode(t *testing.T, v any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(mustMarshal(t, v), &m); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

// at follows a dotted path through decoded objects.
func at(t *testing.T, m map[string]any, path string) any {
	t.Helper()
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%s: %s is not inside an object", path, k)
		}
		v, ok := obj[k]
		if !ok {
			t.Fatalf("%s: no key %s", path, k)
		}
		cur = v
	}
	return cur
}

func TestSignupAllowedFollowsSettings(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Signup)
		allowed bool
	}{
		{"disabled", func(s *Signup) { s.Enabled = false }, false},
		{"enabled, unlimited", func(s *Signup) { s.Enabled, s.Limit, s.TotalUsers = true, -1, 1000 }, true},
		{"enabled, below limit", func(s *Signup) { s.Enabled, s.Limit, s.TotalUsers = true, 10, 9 }, true},
		{"enabled, limit reached", func(s *Signup) { s.Enabled, s.Limit, s.TotalUsers = true, 10, 10 }, false},
		{"disabled, unlimited", func(s *Signup) { s.Enabled, s.Limit = false, -1 }, false},
		{"enabled with approval", func(s *Signup) { s.Enabled, s.RequiresApproval, s.Limit = true, true, -1 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.edit(&s.Signup)
			m := decode(t, Config(s))
			if got := at(t, m, "signup.allowed"); got != tt.allowed {
				t.Fatalf("signup.allowed = %v, want %v", got, tt.allowed)
			}
			if got := at(t, m, "signup.requiresApproval"); got != s.Signup.RequiresApproval {
				t.Fatalf("signup.requiresApproval = %v", got)
			}
		})
	}

	s := DefaultSettings()
	s.Signup.AllowedForCurrentIP = false
	s.Signup.MinimumAge = 18
	s.Signup.RequiresEmailVerification = true
	m := decode(t, Config(s))
	if at(t, m, "signup.allowedForCurrentIP") != false || at(t, m, "signup.minimumAge") != 18.0 ||
		at(t, m, "signup.requiresEmailVerification") != true {
		t.Fatalf("signup block does not follow settings: %v", at(t, m, "signup"))
	}
}

func TestConfigValuesFollowSettings(t *testing.T) {
	s := DefaultSettings()
	s.MaxChunkSize = 3 << 20
	s.ServerCommit = "abc123"
	s.UserVideoQuota = 1 << 30
	s.UserVideoQuotaDaily = 1 << 28
	s.MaxChannelsPerUser = 5
	s.Instance.Name = "Example"
	s.Instance.DefaultNSFWPolicy = taxonomy.NSFWBlur
	s.Transcoding.Resolutions = []int{720, 240, 720, 0}
	m := decode(t, Config(s))

	checks := map[string]any{
		"client.videos.resumableUpload.maxChunkSize": float64(3 << 20),
		"serverVersion":                  APIVersion,
		"serverCommit":                   "abc123",
		"user.videoQuota":                float64(1 << 30),
		"user.videoQuotaDaily":           float64(1 << 28),
		"videoChannels.maxPerUser":       5.0,
		"instance.name":                  "Example",
		"instance.defaultNSFWPolicy":     "blur",
		"transcoding.hls.enabled":        true,
		"transcoding.web_videos.enabled": true,
		"defaults.publish.privacy":       float64(taxonomy.PrivacyPublic),
		"defaults.publish.licence":       nil,
		"tracker.enabled":                true,
		"email.enabled":                  false,
		"contactForm.enabled":            false,
	}
	for path, want := range checks {
		if got := at(t, m, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if got := at(t, m, "transcoding.enabledResolutions"); !equalJSONList(got, []any{0.0, 240.0, 720.0}) {
		t.Errorf("enabledResolutions = %v, want sorted unique [0 240 720]", got)
	}
	if got := at(t, m, "video.file.extensions"); !equalJSONList(got, toAny(s.VideoExtensions)) {
		t.Errorf("video.file.extensions = %v", got)
	}

	lic := 2
	s.DefaultPublish.Licence = &lic
	if got := at(t, decode(t, Config(s)), "defaults.publish.licence"); got != 2.0 {
		t.Errorf("defaults.publish.licence = %v, want 2", got)
	}
}

func TestTranscodingOffReportsNothingProduced(t *testing.T) {
	s := DefaultSettings()
	s.Transcoding.Enabled = false
	m := decode(t, Config(s))
	if at(t, m, "transcoding.hls.enabled") != false || at(t, m, "transcoding.web_videos.enabled") != false {
		t.Fatal("formats reported on while transcoding is off")
	}
	if got := at(t, m, "transcoding.enabledResolutions"); !equalJSONList(got, []any{}) {
		t.Fatalf("enabledResolutions = %v, want []", got)
	}
}

func TestMissingFeaturesAreReportedOff(t *testing.T) {
	m := decode(t, Config(DefaultSettings()))
	off := []string{
		"live.enabled", "live.allowReplay", "live.latencySetting.enabled", "live.transcoding.enabled",
		"live.transcoding.remoteRunners.enabled", "import.videos.http.enabled", "import.videos.torrent.enabled",
		"import.videoChannelSynchronization.enabled", "import.users.enabled", "export.users.enabled",
		"videoStudio.enabled", "videoStudio.remoteRunners.enabled", "videoFile.update.enabled",
		"transcoding.remoteRunners.enabled", "search.searchIndex.enabled", "webadmin.configuration.edition.allowed",
		"autoBlacklist.videos.ofUsers.enabled", "broadcastMessage.enabled", "homepage.enabled",
		"openTelemetry.metrics.enabled", "storyboards.enabled",
	}
	for _, p := range off {
		if got := at(t, m, p); got != false {
			t.Errorf("%s = %v, want false", p, got)
		}
	}
	if at(t, m, "live.maxInstanceLives") != 0.0 || at(t, m, "live.maxUserLives") != 0.0 {
		t.Error("live quotas above zero without live streaming")
	}
	for _, p := range []string{"plugin.registered", "plugin.registeredExternalAuths", "plugin.registeredIdAndPassAuths",
		"theme.registered", "instance.avatars", "instance.banners", "live.transcoding.enabledResolutions"} {
		if got := at(t, m, p); !equalJSONList(got, []any{}) {
			t.Errorf("%s = %#v, want []", p, got)
		}
	}
}

func TestZeroSettingsMarshalListsAsEmpty(t *testing.T) {
	raw := string(mustMarshal(t, Config(Settings{})))
	if strings.Count(raw, "null") != 1 || !strings.Contains(raw, `"licence":null`) {
		t.Fatalf("want defaults.publish.licence as the only null: %s", raw)
	}
	about := string(mustMarshal(t, About(Settings{})))
	if strings.Contains(about, "null") {
		t.Fatalf("about has nulls: %s", about)
	}
}

func TestAboutFollowsSettings(t *testing.T) {
	s := DefaultSettings()
	s.Instance.Description = "About **us**"
	s.Instance.Terms = "Be kind & fair"
	s.Instance.Languages = []string{"en", "fr"}
	s.Instance.Categories = []int{15}
	s.Instance.BusinessModel = "Donations"
	m := decode(t, About(s))
	for path, want := range map[string]any{
		"instance.name":          s.Instance.Name,
		"instance.description":   "About **us**",
		"instance.terms":         "Be kind & fair",
		"instance.businessModel": "Donations",
	} {
		if got := at(t, m, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if got := at(t, m, "instance.languages"); !equalJSONList(got, []any{"en", "fr"}) {
		t.Errorf("languages = %v", got)
	}
	if got := at(t, m, "instance.categories"); !equalJSONList(got, []any{15.0}) {
		t.Errorf("categories = %v", got)
	}
	if raw := string(mustMarshal(t, About(s))); !strings.Contains(raw, "Be kind & fair") {
		t.Errorf("& escaped: %s", raw)
	}
}

func TestDocumentsDoNotAliasSettings(t *testing.T) {
	s := DefaultSettings()
	s.Instance.Languages = []string{"en"}
	c := Config(s)
	a := About(s)
	c.Video.File.Extensions[0] = "changed"
	a.Instance.Languages[0] = "changed"
	if s.VideoExtensions[0] == "changed" || s.Instance.Languages[0] == "changed" {
		t.Fatal("documents share slices with the settings")
	}
	if Config(DefaultSettings()).Avatar.File.Extensions[0] == "changed" {
		t.Fatal("documents share package slices")
	}
	c.Avatar.File.Extensions[0] = "changed"
	if Config(DefaultSettings()).Banner.File.Extensions[0] == "changed" {
		t.Fatal("documents share package slices")
	}
}

func TestDefaultSettingsFollowPeerTubeWhereShared(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	// PeerTube 6.x config/default.yaml values this server shares.
	if s.Signup.Enabled || s.Signup.Limit != 10 || s.Signup.MinimumAge != 16 || !s.Signup.RequiresApproval {
		t.Errorf("signup defaults differ from PeerTube's: %+v", s.Signup)
	}
	if s.UserVideoQuota != -1 || s.UserVideoQuotaDaily != -1 || s.MaxChannelsPerUser != 20 {
		t.Errorf("quota defaults differ from PeerTube's")
	}
	if s.Instance.DefaultNSFWPolicy != taxonomy.NSFWDoNotList || s.Instance.Terms != "No terms for now." {
		t.Errorf("instance defaults differ from PeerTube's")
	}
	// The capture (PeerTube 6.1) uses the same fixed values.
	capture := decodeRaw(t, reftest.REST(t, "rest-config.json"))
	ours := decode(t, Config(s))
	for _, p := range []string{
		"avatar.file.extensions", "banner.file.extensions", "video.image.extensions",
		"videoCaption.file.extensions", "videoCaption.file.size.max", "trending", "views",
		"openTelemetry", "broadcastMessage", "followings", "theme", "plugin",
		"export.users.exportExpiration", "export.users.maxUserVideoQuota",
		"instance.defaultClientRoute", "instance.customizations", "defaults.publish", "defaults.p2p",
	} {
		g, _ := json.Marshal(at(t, ours, p))
		w, _ := json.Marshal(at(t, capture, p))
		if string(g) != string(w) {
			t.Errorf("%s = %s, PeerTube 6.1 sent %s", p, g, w)
		}
	}
}

func TestValidateRejectsBadSettings(t *testing.T) {
	bad := map[string]func(*Settings){
		"nsfw policy":  func(s *Settings) { s.Instance.DefaultNSFWPolicy = "warn" },
		"empty name":   func(s *Settings) { s.Instance.Name = " " },
		"language":     func(s *Settings) { s.Instance.Languages = []string{"xx"} },
		"category":     func(s *Settings) { s.Instance.Categories = []int{99} },
		"privacy":      func(s *Settings) { s.DefaultPublish.Privacy = 9 },
		"licence":      func(s *Settings) { l := 42; s.DefaultPublish.Licence = &l },
		"quota":        func(s *Settings) { s.UserVideoQuota = -2 },
		"signup limit": func(s *Settings) { s.Signup.Limit = -5 },
		"chunk":        func(s *Settings) { s.MaxChunkSize = -1 },
		"resolution":   func(s *Settings) { s.Transcoding.Resolutions = []int{-240} },
		"extension":    func(s *Settings) { s.VideoExtensions = []string{"MP4"} },
		"image size":   func(s *Settings) { s.VideoImageMaxSize = 0 },
	}
	for name, edit := range bad {
		s := DefaultSettings()
		edit(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: Validate accepted the settings", name)
		}
	}
}

func decodeRaw(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func equalJSONList(got any, want []any) bool {
	l, ok := got.([]any)
	return ok && slices.Equal(l, want)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
