package api

import (
	"net/http"

	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/upload"
)

// settings are the instance's public settings, from its configuration.
func (a *API) settings() serverconfig.Settings {
	s := serverconfig.DefaultSettings()
	s.Instance.Name = a.cfg.InstanceName
	s.Instance.ShortDescription = a.cfg.InstanceShortDescription
	s.Signup.Enabled = a.cfg.SignupEnabled
	s.Signup.RequiresApproval = a.cfg.SignupRequiresApproval
	s.Signup.RequiresEmailVerification = false
	s.Signup.Limit = -1
	s.UserVideoQuota = a.cfg.UserVideoQuota
	s.UserVideoQuotaDaily = a.cfg.UserVideoQuotaDaily
	s.MaxChannelsPerUser = a.cfg.MaxChannelsPerUser
	s.Transcoding.Resolutions = a.cfg.Resolutions
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
