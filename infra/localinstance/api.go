package localinstance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// API speaks PeerTube's REST API to an instance as root.
type API struct {
	Base      string
	HTTP      *http.Client
	Token     string
	ChannelID int64 // root's default channel
}

// Login gets a token for root with PeerTube's password grant and finds
// root's default channel. timeout bounds each request.
func Login(ctx context.Context, base, password string, timeout time.Duration) (*API, error) {
	c := &API{Base: base, HTTP: &http.Client{Timeout: timeout}}
	var oc struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := c.GetJSON(ctx, "/api/v1/oauth-clients/local", &oc); err != nil {
		return nil, err
	}
	form := url.Values{
		"client_id":     {oc.ClientID},
		"client_secret": {oc.ClientSecret},
		"grant_type":    {"password"},
		"username":      {"root"},
		"password":      {password},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/users/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.Do(req, &tok); err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	c.Token = tok.AccessToken
	var me struct {
		VideoChannels []struct {
			ID int64 `json:"id"`
		} `json:"videoChannels"`
	}
	if err := c.GetJSON(ctx, "/api/v1/users/me", &me); err != nil {
		return nil, err
	}
	if len(me.VideoChannels) == 0 {
		return nil, fmt.Errorf("log in: root has no channel")
	}
	c.ChannelID = me.VideoChannels[0].ID
	return c, nil
}

// GetJSON gets path and decodes its JSON answer into v.
func (c *API) GetJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	if err := c.Do(req, v); err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	return nil
}

// Do sends req (with the token, once there is one) and decodes a 2xx
// JSON answer into v (nil: the body is read and dropped).
func (c *API) Do(req *http.Request, v any) error {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}
