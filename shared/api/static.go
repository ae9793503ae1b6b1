package api

import (
	"net/http"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/upload"
)

// settings are the instance's public settings, from its configuration.
func (a *API) settings() serverconfig.Settings { return Settings(a.cfg) }

// Settings are the public settings of an instance configured with cfg, as
// /api/v1/config reports them (NodeInfo reports the same).
func Settings(cfg config.Config) serverconfig.Settings {
	s := serverconfig.DefaultSettings()
	s.Instance.Name = cfg.InstanceName
	s.Instance.ShortDescription = cfg.InstanceShortDescription
	s.Signup.Enabled = cfg.SignupEnabled
	s.Signup.RequiresApproval = cfg.SignupRequiresApproval
	s.Signup.RequiresEmailVerification = false
	s.Signup.Limit = -1
	s.UserVideoQuota = cfg.UserVideoQuota
	s.UserVideoQuotaDaily = cfg.UserVideoQuotaDaily
	s.MaxChannelsPerUser = cfg.MaxChannelsPerUser
	s.Transcoding.Resolutions = cfg.Resolutions
	// A resumable chunk must fit in one Lambda invocation once API Gateway
	// has base64-encoded it.
	s.MaxChunkSize = upload.DefaultMaxChunkSize
	return s
}

func (a *API) getConfig(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, serverconfig.Config(a.settings()))
}

func (a *API) getAbout(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, serverconfig.About(a.settings()))
}

// constant serves a fixed document.
func constant(v any) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return writeJSON(w, http.StatusOK, v) }
}
