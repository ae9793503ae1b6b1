package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// The test site: this package's handler beside the parts of the instance
// the pages talk to, played by small handlers over real files: the REST
// API's video and config documents and view reports, the web video (with
// byte ranges) and its .torrent, made with ffmpeg and shared/torrentfile.

const (
	publicUUID  = "5a1e0c3b-9c2d-4f6e-8a7b-1c2d3e4f5a6b"
	privateUUID = "6b2f1d4c-0d3e-4a7f-9b8c-2d3e4f5a6b7c"
	clipSeconds = 8
)

var (
	clipOnce sync.Once
	clipPath string
	clipErr  error
	clipDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if clipDir != "" {
		os.RemoveAll(clipDir)
	}
	os.Exit(code)
}

// testClip is an 8 s 320x240 H.264/AAC faststart MP4 at about 600 kbit/s,
// made once per test run.
func testClip(t *testing.T) []byte {
	t.Helper()
	clipOnce.Do(func() {
		if clipDir, clipErr = os.MkdirTemp("", "web-clip"); clipErr != nil {
			return
		}
		clipPath = filepath.Join(clipDir, "clip.mp4")
		var out []byte
		out, clipErr = exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
			"-f", "lavfi", "-i", fmt.Sprintf("testsrc=duration=%d:size=320x240:rate=24", clipSeconds),
			"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", clipSeconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "600k", "-g", "24",
			"-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", clipPath).CombinedOutput()
		if clipErr != nil {
			clipErr = fmt.Errorf("ffmpeg: %w: %s", clipErr, out)
		}
	})
	if clipErr != nil {
		if _, err := exec.LookPath("ffmpeg"); err != nil && os.Getenv("CI") == "" {
			t.Skip("ffmpeg is not installed (make test installs it)")
		}
		t.Fatal(clipErr)
	}
	b, err := os.ReadFile(clipPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type viewReport struct {
	ID          string
	CurrentTime *int64  `json:"currentTime"`
	ViewEvent   *string `json:"viewEvent"`
	SessionID   string  `json:"sessionId"`
}

type siteOptions struct {
	assetsDir string
	// trackerPort, when set, lists ws://127.0.0.1:trackerPort in the
	// torrent and in trackerUrls.
	trackerPort int
	// withClip serves a real clip and its torrent.
	withClip bool
	// noTorrent answers 404 for the .torrent file.
	noTorrent bool
}

type site struct {
	url   string
	st    *store.Store
	clip  []byte
	infoH string

	mu           sync.Mutex
	views        []viewReport
	firstAPIGet  time.Time
	firstFileGet time.Time
	fileBytes    atomic.Int64
	fileGets     atomic.Int64
}

func newSite(t *testing.T, o siteOptions) *site {
	t.Helper()
	ctx := context.Background()
	tbl, err := tableembedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	s := &site{st: store.New(tbl)}
	u, _, ch, err := s.st.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "ada", Email: "ada@example.com", PasswordHash: "x"},
		AccountDisplayName: "Ada",
		Channel:            model.Channel{Name: "ada_channel", DisplayName: "Ada's channel"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for uuid, privacy := range map[string]int{publicUUID: model.PrivacyPublic, privateUUID: model.PrivacyPrivate} {
		_, err := s.st.CreateVideo(ctx, model.Video{UUID: uuid, AccountID: u.AccountID, State: model.StatePublished,
			Duration: clipSeconds, Preview: uuid + ".jpg",
			VideoMeta: model.VideoMeta{Name: "Test pattern " + uuid[:4], ChannelID: ch.ID, Privacy: privacy,
				Description: "A test pattern & a tone <for the player>."}})
		if err != nil {
			t.Fatal(err)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.url = "http://" + l.Addr().String()
	fileURL := s.url + "/static/web-videos/" + publicUUID + "-240.mp4"
	torrentURL := s.url + "/lazy-static/torrents/" + publicUUID + "-240.torrent"
	var trackers []string
	var tiers [][]string
	if o.trackerPort != 0 {
		trackers = []string{fmt.Sprintf("ws://127.0.0.1:%d/tracker/socket", o.trackerPort)}
		tiers = [][]string{trackers}
	}
	var torrent torrentfile.Torrent
	if o.withClip {
		s.clip = testClip(t)
		torrent, err = torrentfile.Build(ctx, bytes.NewReader(s.clip), int64(len(s.clip)), torrentfile.Options{
			Name: "Test pattern 240p.mp4", Trackers: tiers, WebSeeds: []string{fileURL}, CreatedBy: "PeerTube"})
		if err != nil {
			t.Fatal(err)
		}
		s.infoH = torrent.InfoHash
	}

	mux := http.NewServeMux()
	h := New(Config{PublicURL: s.url, Store: s.st, AssetsDir: o.assetsDir})
	for _, p := range []string{WatchPath, EmbedPath, PlayerPath} {
		mux.Handle(p, h)
	}
	mux.HandleFunc("GET /api/v1/config", func(w http.ResponseWriter, r *http.Request) {
		// A shorter watching interval than PeerTube's 5 s, to see reports
		// within a short test.
		writeJSON(w, map[string]any{"views": map[string]any{"videos": map[string]any{
			"watchingInterval": map[string]any{"anonymous": 1000, "users": 1000}}}})
	})
	mux.HandleFunc("GET /api/v1/videos/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.firstAPIGet.IsZero() {
			s.firstAPIGet = time.Now()
		}
		s.mu.Unlock()
		switch r.PathValue("id") {
		case publicUUID, shortuuid.FromUUID(publicUUID):
		case privateUUID:
			w.WriteHeader(http.StatusForbidden)
			writeJSON(w, map[string]any{"status": 403, "detail": "Cannot get this private video"})
			return
		default:
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, map[string]any{"status": 404, "detail": "Video not found"})
			return
		}
		var files []map[string]any
		if o.withClip {
			files = append(files, map[string]any{
				"id": 1, "resolution": map[string]any{"id": 240, "label": "240p"}, "width": 320, "height": 240,
				"size": len(s.clip), "fps": 24, "fileUrl": fileURL, "torrentUrl": torrentURL,
				"magnetUri": torrentfile.Magnet(torrentfile.MagnetOptions{TorrentURL: torrentURL, InfoHash: torrent.InfoHash,
					Name: "Test pattern", Trackers: trackers, WebSeeds: []string{fileURL}}),
			})
		}
		writeJSON(w, map[string]any{
			"id": 7, "uuid": publicUUID, "shortUUID": shortuuid.FromUUID(publicUUID), "name": "Test pattern",
			"description": "A test pattern and a tone.", "duration": clipSeconds,
			"state": map[string]any{"id": 1, "label": "Published"}, "previewPath": nil,
			"files": files, "streamingPlaylists": []any{}, "trackerUrls": trackers,
		})
	})
	mux.HandleFunc("POST /api/v1/videos/{id}/views", func(w http.ResponseWriter, r *http.Request) {
		// What shared/api's handler checks: currentTime an integer, set
		// and not negative; viewEvent "seek" when set.
		var v viewReport
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil || v.CurrentTime == nil || *v.CurrentTime < 0 ||
			(v.ViewEvent != nil && *v.ViewEvent != "seek") {
			http.Error(w, "bad view", http.StatusBadRequest)
			return
		}
		v.ID = r.PathValue("id")
		s.mu.Lock()
		s.views = append(s.views, v)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /static/web-videos/{file}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") != publicUUID+"-240.mp4" || s.clip == nil {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		if s.firstFileGet.IsZero() {
			s.firstFileGet = time.Now()
		}
		s.mu.Unlock()
		s.fileGets.Add(1)
		// As the CDN answers web seeds: ranges, and CORS for Range and
		// Cache-Control.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(&countingWriter{ResponseWriter: w, n: &s.fileBytes}, r, "clip.mp4", time.Now(), bytes.NewReader(s.clip))
	})
	mux.HandleFunc("GET /lazy-static/torrents/{file}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") != publicUUID+"-240.torrent" || torrent.Bytes == nil || o.noTorrent {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/x-bittorrent")
		_, _ = w.Write(torrent.Bytes)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// get fetches a path of the site.
func (s *site) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (s *site) viewReports() []viewReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]viewReport(nil), s.views...)
}
