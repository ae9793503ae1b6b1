package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
)

// client speaks PeerTube's REST API to the instance as root.
type client struct {
	*localinstance.API
}

// login logs in as root (localinstance.Login).
func login(ctx context.Context, base, password string) (*client, error) {
	api, err := localinstance.Login(ctx, base, password, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	return &client{api}, nil
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
	for k, v := range map[string]string{"name": name, "channelId": strconv.FormatInt(c.ChannelID, 10), "privacy": "1"} {
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/api/v1/videos/upload", &body)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", path, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		Video struct {
			UUID string `json:"uuid"`
		} `json:"video"`
	}
	if err := c.Do(req, &out); err != nil {
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
		if err := c.GetJSON(ctx, "/api/v1/videos/"+uuid, &v); err != nil {
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
	resp, err := c.HTTP.Do(req)
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
