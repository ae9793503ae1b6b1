package api

import (
	"net/http"

	"github.com/vidiverse/vidiverse/shared/serverconfig"
)

// settings are the instance's public settings, from its configuration.
func (a *API) settings() serverconfig.Settings { return serverconfig.FromConfig(a.cfg) }

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
