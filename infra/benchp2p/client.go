package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// client speaks PeerTube's REST API to the instance as root.
type client struct {
	base      string
	http      *http.Client
	token     string
	channelID int64
}

// login gets a token for root with PeerTube's password grant and finds
// root's default channel.
func login(ctx context.Context, base, password string) (*client, error) {
	c := &client{base: base, http: &http.Client{Timeout: 2 * time.Minute}}
	var oc struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := c.getJSON(ctx, "/api/v1/oauth-clients/local", &oc); err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {oc.ClientID}, "client_secret": {oc.ClientSecret},
		"grant_type": {"password"}, "username": {"root"}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/users/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.do(req, &tok); err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	c.token = tok.AccessToken
	var me struct {
		VideoChannels []struct {
			ID int64 `json:"id"`
		} `json:"videoChannels"`
	}
	if err := c.getJSON(ctx, "/api/v1/users/me", &me); err != nil {
		return nil, err
	}
	if len(me.VideoChannels) == 0 {
		return nil, fmt.Errorf("log in: root has no channel")
	}
	c.channelID = me.VideoChannels[0].ID
	return c, nil
}

func (c *client) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	if err := c.do(req, v); err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	return nil
}

// do sends req (with the token, once there is one) and decodes a 2xx
// JSON answer into v.
func (c *client) do(req *http.Request, v any) error {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
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

// upload sends the file at path with PeerTube's legacy multipart upload
// as a public video and returns its UUID.
func (c *client) upload(ctx context.Context, path, name string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	defer f.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"name": name, "channelId": strconv.FormatInt(c.channelID, 10), "privacy": "1"} {
		if err := mw.WriteField(k, v); err != nil {
			return "", fmt.Errorf("upload %s: %w", path, err)
		}
	}
	part, err := mw.CreateFormFile("videofile", filepath.Base(path))
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	if _, err := io.Copy(part, f); err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/videos/upload", &body)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		Video struct {
			UUID string `json:"uuid"`
		} `json:"video"`
	}
	if err := c.do(req, &out); err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	if out.Video.UUID == "" {
		return "", fmt.Errorf("upload %s: the answer has no video uuid", path)
	}
	return out.Video.UUID, nil
}

// videoFile is the web video file the watch page plays.
type videoFile struct {
	FileURL    string `json:"fileUrl"`
	TorrentURL string `json:"torrentUrl"`
	Size       int64  `json:"size"`
	Resolution struct {
		ID int `json:"id"`
	} `json:"resolution"`
}

// video is what the bench reads of GET /api/v1/videos/{uuid}.
type video struct {
	State struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	Duration    float64     `json:"duration"`
	TrackerURLs []string    `json:"trackerUrls"`
	Files       []videoFile `json:"files"`
}

// PeerTube's video states the bench waits for.
const (
	statePublished         = 1
	stateTranscodingFailed = 7
)

// waitPublished polls the video until it is published with a web video
// file that has a torrent.
func (c *client) waitPublished(ctx context.Context, uuid string, limit time.Duration) (video, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		var v video
		if err := c.getJSON(ctx, "/api/v1/videos/"+uuid, &v); err != nil {
			return v, err
		}
		if v.State.ID == statePublished && len(v.Files) > 0 && v.Files[0].TorrentURL != "" {
			return v, nil
		}
		if v.State.ID == stateTranscodingFailed {
			return v, fmt.Errorf("video %s: transcoding failed", uuid)
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("video %s: still %q after %s: %w", uuid, v.State.Label, limit, ctx.Err())
		case <-t.C:
		}
	}
}

// pieceLengthRe finds the piece length in a bencoded torrent.
var pieceLengthRe = regexp.MustCompile(`12:piece lengthi(\d+)e`)

// pieceLength reads the piece length of the torrent at torrentURL.
func (c *client) pieceLength(ctx context.Context, torrentURL string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, torrentURL, nil)
	if err != nil {
		return 0, fmt.Errorf("get torrent: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get torrent: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("get torrent: %w", err)
	}
	m := pieceLengthRe.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		return 0, fmt.Errorf("get torrent %s: HTTP %d, no piece length", torrentURL, resp.StatusCode)
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

// seederMetrics is what the bench reads of GET /seeder/metrics.
type seederMetrics struct {
	Tracker struct {
		Announces      int64 `json:"announces"`
		OffersRelayed  int64 `json:"offersRelayed"`
		AnswersRelayed int64 `json:"answersRelayed"`
		Failures       int64 `json:"failures"`
	} `json:"tracker"`
	Seed *struct {
		BytesServed int64 `json:"bytesServed"`
		UploadRate  int64 `json:"uploadRate"`
		Torrents    int   `json:"torrents"`
		Peers       int   `json:"peers"`
		PerTorrent  []struct {
			Video string `json:"video"`
			File  string `json:"file"` // the file's object key
		} `json:"perTorrent"`
	} `json:"seed"`
}
