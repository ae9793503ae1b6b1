package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
)

// client speaks PeerTube's REST API to one instance as root.
type client struct {
	*localinstance.API
}

// pollInterval is how often a video is polled (PeerTube's CLI polls every
// 50 ms; 20 ms resolves the latencies measured here more finely).
const pollInterval = 20 * time.Millisecond

// login logs in as root (localinstance.Login).
func login(ctx context.Context, base, password string) (*client, error) {
	api, err := localinstance.Login(ctx, base, password, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	return &client{api}, nil
}

// uploaded is a video the instance accepted, with when its upload started
// and when the answer came back.
type uploaded struct {
	UUID            string
	Started, Landed time.Time
}

// upload sends path with PeerTube's legacy multipart upload as a public
// video named name, streaming the file.
func (c *client) upload(ctx context.Context, path, name string) (uploaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return uploaded{}, fmt.Errorf("upload %s: %w", path, err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range map[string]string{"name": name, "channelId": strconv.FormatInt(c.ChannelID, 10), "privacy": "1"} {
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("videofile", filepath.Base(path))
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/api/v1/videos/upload", pr)
	if err != nil {
		pr.CloseWithError(err)
		return uploaded{}, fmt.Errorf("upload %s: %w", path, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		Video struct {
			UUID string `json:"uuid"`
		} `json:"video"`
	}
	up := uploaded{Started: time.Now()}
	err = c.Do(req, &out)
	up.Landed = time.Now()
	pr.CloseWithError(io.ErrClosedPipe) // ends the writer if the server stopped reading
	if err != nil {
		return uploaded{}, fmt.Errorf("upload %s: %w", path, err)
	}
	if out.Video.UUID == "" {
		return uploaded{}, fmt.Errorf("upload %s: the answer has no video uuid", path)
	}
	up.UUID = out.Video.UUID
	return up, nil
}

// videoState is what polling reads of GET /api/v1/videos/{uuid}.
type videoState struct {
	State struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	Files []struct {
		TorrentURL string `json:"torrentUrl"`
		Resolution struct {
			ID int `json:"id"`
		} `json:"resolution"`
	} `json:"files"`
	StreamingPlaylists []struct {
		Files []json.RawMessage `json:"files"`
	} `json:"streamingPlaylists"`
}

// Video states of PeerTube's that the bench waits for.
const (
	statePublished         = 1
	stateTranscodingFailed = 7
)

// waitFor polls the video every pollInterval until done says so, and
// returns when that poll's answer arrived. A failed video or a deadline
// ends the wait with an error.
func (c *client) waitFor(ctx context.Context, uuid string, limit time.Duration, done func(videoState) bool) (time.Time, videoState, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		var v videoState
		if err := c.GetJSON(ctx, "/api/v1/videos/"+uuid, &v); err != nil {
			return time.Time{}, v, err
		}
		now := time.Now()
		if done(v) {
			return now, v, nil
		}
		if v.State.ID == stateTranscodingFailed {
			return now, v, fmt.Errorf("video %s: transcoding failed", uuid)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, v, fmt.Errorf("video %s: still %q after %s: %w", uuid, v.State.Label, limit, ctx.Err())
		case <-t.C:
		}
	}
}

func hasTorrent(v videoState) bool  { return len(v.Files) > 0 && v.Files[0].TorrentURL != "" }
func isPublished(v videoState) bool { return v.State.ID == statePublished }

// bodySize returns the size in bytes of a GET's answer, for the table.
func (c *client) bodySize(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("get %s: HTTP %d", path, resp.StatusCode)
	}
	return len(b), nil
}
