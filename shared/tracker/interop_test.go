package tracker_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	alog "github.com/anacrolix/log"
	atracker "github.com/anacrolix/torrent/tracker"
	"github.com/anacrolix/torrent/webtorrent"
	"github.com/gorilla/websocket"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

// received records the messages an anacrolix client read from the
// tracker (it logs each at debug level).
type received struct {
	mu   sync.Mutex
	msgs []map[string]any
}

func (r *received) Handle(rec alog.Record) {
	raw, ok := strings.CutPrefix(rec.Text(), "received message: ")
	if !ok {
		return
	}
	s, err := strconv.Unquote(raw)
	if err != nil {
		return
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func (r *received) all() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.msgs...)
}

// anacrolixClient starts anacrolix/torrent's WebSocket tracker client
// (the one the instance's seed uses) on the test tracker.
func anacrolixClient(t *testing.T, e *env, name string, peerID [20]byte, left int64, opened chan<- string) (*webtorrent.TrackerClient, *received) {
	rec := &received{}
	logger := alog.NewLogger(name).WithFilterLevel(alog.Debug)
	logger.SetHandlers(rec)
	tc := &webtorrent.TrackerClient{
		Url: e.wsURL(),
		GetAnnounceRequest: func(ev atracker.AnnounceEvent, ih [20]byte) (atracker.AnnounceRequest, error) {
			return atracker.AnnounceRequest{InfoHash: ih, PeerId: peerID, Left: left, Event: ev}, nil
		},
		PeerId: peerID,
		OnConn: func(dc webtorrent.DataChannelConn, _ webtorrent.DataChannelContext) {
			select { // each answered offer brings another: do not block on them
			case opened <- name:
			default:
			}
			_ = dc.Close()
		},
		Logger:               logger,
		Dialer:               websocket.DefaultDialer,
		OnConnected:          func(error) {},
		OnDisconnected:       func(error) {},
		OnAnnounceSuccessful: func(string) {},
		OnAnnounceError:      func(string, error) {},
	}
	tc.Start(func(error) {})
	t.Cleanup(func() { _ = tc.Close() })
	return tc, rec
}

// anacrolix/torrent v1.61.0's webtorrent client announces to the tracker
// and gets its reply; a second one's offer reaches the first, whose answer
// comes back, and the two open a WebRTC data channel.
func TestAnacrolixWebtorrentClient(t *testing.T) {
	if testing.Short() {
		t.Skip("WebRTC")
	}
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	opened := make(chan string, 16)
	a, recA := anacrolixClient(t, e, "seed", pA, 0, opened)
	b, recB := anacrolixClient(t, e, "viewer", pB, 1000, opened)

	if err := a.Announce(atracker.Started, ih1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the seed's announce reply", func() bool {
		for _, m := range recA.all() {
			if equalJSON(m, reply(ih1, 1, 0)) {
				return true
			}
		}
		return false
	})
	if err := b.Announce(atracker.Started, ih1); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	timeout := time.After(20 * time.Second)
	for !got["seed"] || !got["viewer"] {
		select {
		case name := <-opened:
			got[name] = true
		case <-timeout:
			t.Fatalf("data channels opened: %v; tracker %+v", got, e.tr.Stats())
		}
	}
	for _, m := range append(recA.all(), recB.all()...) {
		if m["failure reason"] != nil {
			t.Fatalf("failure: %v", m)
		}
	}
	if st := e.tr.Stats(); st.OffersRelayed < 1 || st.AnswersRelayed < 1 {
		t.Fatalf("stats %+v", st)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
