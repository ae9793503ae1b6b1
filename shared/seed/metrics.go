package seed

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
)

// Metrics are the seed's counters at one moment.
type Metrics struct {
	// PeerID is the seed's peer id, hex.
	PeerID string `json:"peerId"`
	// Tracker is the WebSocket tracker the seed announces to.
	Tracker string `json:"tracker"`
	// Torrents is the number of torrents seeded.
	Torrents int `json:"torrents"`
	// Peers is the number of peer connections, over all torrents.
	Peers int `json:"peers"`
	// BytesServed counts the piece data sent to peers since the seed
	// started, dropped torrents included.
	BytesServed int64 `json:"bytesServed"`
	// UploadRate is the cap in bytes per second; 0 = none.
	UploadRate int64 `json:"uploadRate"`
	// Cache counts the reads of the piece cache and the bytes read from
	// blob storage to fill it.
	Cache CacheMetrics `json:"cache"`
	// PerTorrent has one entry per torrent seeded, by infohash.
	PerTorrent []TorrentMetrics `json:"perTorrent"`
}

// CacheMetrics describe the piece cache.
type CacheMetrics struct {
	Hits          int64 `json:"hits"`
	Misses        int64 `json:"misses"`
	BlobBytesRead int64 `json:"blobBytesRead"`
	Bytes         int64 `json:"bytes"`
	LimitBytes    int64 `json:"limitBytes"`
}

// TorrentMetrics are the counters of one torrent.
type TorrentMetrics struct {
	InfoHash string `json:"infoHash"`
	// Video is the video's UUID; File the object key of the file.
	Video string `json:"video"`
	File  string `json:"file"`
	// Peers is the number of peer connections now.
	Peers int `json:"peers"`
	// BytesServed counts the piece data sent since the torrent was added.
	BytesServed int64 `json:"bytesServed"`
}

// Metrics returns the seed's counters.
func (s *Seed) Metrics() Metrics {
	id := s.PeerID()
	s.mu.Lock()
	list := make([]*seeded, 0, len(s.torrents))
	for _, sd := range s.torrents {
		list = append(list, sd)
	}
	s.mu.Unlock()

	cs := s.cl.Stats()
	hits, misses, fetched, size := s.storage.cache.stats()
	m := Metrics{
		PeerID:      hex.EncodeToString(id[:]),
		Tracker:     s.cfg.TrackerURL,
		Torrents:    len(list),
		BytesServed: cs.BytesWrittenData.Int64(),
		UploadRate:  s.cfg.UploadRate,
		Cache:       CacheMetrics{Hits: hits, Misses: misses, BlobBytesRead: fetched, Bytes: size, LimitBytes: s.cfg.CacheBytes},
		PerTorrent:  make([]TorrentMetrics, 0, len(list)),
	}
	for _, sd := range list {
		ts := sd.t.Stats()
		m.Peers += ts.ActivePeers
		m.PerTorrent = append(m.PerTorrent, TorrentMetrics{
			InfoHash:    sd.t.InfoHash().HexString(),
			Video:       sd.video,
			File:        sd.key,
			Peers:       ts.ActivePeers,
			BytesServed: ts.BytesWrittenData.Int64(),
		})
	}
	sort.Slice(m.PerTorrent, func(i, j int) bool { return m.PerTorrent[i].InfoHash < m.PerTorrent[j].InfoHash })
	return m
}

// MetricsHandler serves Metrics as JSON to GET and HEAD.
func (s *Seed) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		b, err := json.Marshal(s.Metrics())
		if err != nil {
			http.Error(w, "encode metrics", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(append(b, '\n'))
	})
}
