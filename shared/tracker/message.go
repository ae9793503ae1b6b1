package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// message is one request a WebSocket client sent, checked as
// bittorrent-tracker's parse-websocket checks it.
type message struct {
	action   string // "announce" or "scrape"
	infoHash [20]byte
	peerID   [20]byte

	// An announce: its event (update when none), whether left is 0, its
	// offers, and an answer (nil when none) with its offer_id for the
	// peer to_peer_id.
	event    string
	complete bool
	offers   []offer
	answer   json.RawMessage
	offerID  json.RawMessage
	toPeerID [20]byte

	// A scrape: the infohashes asked for, nil for every swarm.
	scrape [][20]byte
}

// offer is one of an announce's WebRTC offers, relayed as it came.
type offer struct {
	offer, offerID json.RawMessage
}

// failure is the tracker's error message. A malformed request gets the
// reason alone; a refused announce also the action and the infohash.
type failure struct {
	Action   string `json:"action,omitempty"`
	Reason   string `json:"failure reason"`
	InfoHash string `json:"info_hash,omitempty"`
}

func (f *failure) Error() string { return f.Reason }

// parseMessage checks a WebSocket request. Its event is update when it
// has none, or "empty", or anacrolix's "<regular>". Its failures, in
// order: the message is not a JSON object; its action is neither
// announce nor scrape; an announce's info_hash or peer_id is not a
// 20-character binary string, nor to_peer_id when it carries an answer;
// its offers are not a list of objects each with an offer; its event is
// unknown; a scrape's info_hash is neither such a string nor a list of
// them.
func parseMessage(data []byte) (message, *failure) {
	var m message
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return m, &failure{Reason: "invalid JSON: a message is a JSON object"}
	}
	var action string
	if raw, ok := fields["action"]; !ok {
		action = "undefined"
	} else if json.Unmarshal(raw, &action) != nil {
		action = string(raw)
	}
	switch action {
	case "announce":
		return m, m.parseAnnounce(fields)
	case "scrape":
		return m, m.parseScrape(fields["info_hash"])
	}
	return m, &failure{Reason: "invalid action in WS request: " + action}
}

func (m *message) parseAnnounce(f map[string]json.RawMessage) *failure {
	m.action = "announce"
	var err error
	if m.infoHash, err = decodeID(f["info_hash"]); err != nil {
		return &failure{Reason: "invalid info_hash"}
	}
	if m.peerID, err = decodeID(f["peer_id"]); err != nil {
		return &failure{Reason: "invalid peer_id"}
	}
	if isTruthy(f["answer"]) {
		m.answer, m.offerID = f["answer"], f["offer_id"]
		if m.toPeerID, err = decodeID(f["to_peer_id"]); err != nil {
			return &failure{Reason: "invalid `to_peer_id` (required with `answer`)"}
		}
	}
	m.complete = leftIsZero(f["left"])
	if err := m.parseOffers(f["offers"]); err != nil {
		return &failure{Reason: err.Error()}
	}
	m.event = "update"
	if raw := f["event"]; isTruthy(raw) {
		var ev string
		_ = json.Unmarshal(raw, &ev)
		switch ev {
		case "started", "stopped", "completed", "update", "paused":
			m.event = ev
		case "empty", "<regular>":
			// "<regular>" is what anacrolix/torrent (v1.61.0) sends for
			// an announce with no event; bittorrent-tracker refuses it.
		default:
			return &failure{Action: "announce", Reason: "invalid event", InfoHash: binaryString(m.infoHash[:])}
		}
	}
	return nil
}

func (m *message) parseOffers(raw json.RawMessage) error {
	if !isTruthy(raw) {
		return nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("invalid offers: a list of objects")
	}
	for _, o := range list[:min(len(list), maxOffers)] {
		if o == nil || !isTruthy(o["offer"]) {
			return fmt.Errorf("invalid offers: each has an offer")
		}
		m.offers = append(m.offers, offer{offer: o["offer"], offerID: o["offer_id"]})
	}
	return nil
}

func (m *message) parseScrape(raw json.RawMessage) *failure {
	m.action = "scrape"
	bad := &failure{Reason: "invalid info_hash"}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil // every swarm
	case raw[0] == '"':
		ih, err := decodeID(raw)
		if err != nil {
			return bad
		}
		m.scrape = [][20]byte{ih}
	case raw[0] == '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return bad
		}
		m.scrape = make([][20]byte, 0, len(list))
		for _, r := range list {
			ih, err := decodeID(r)
			if err != nil {
				return bad
			}
			m.scrape = append(m.scrape, ih)
		}
	default:
		return bad
	}
	return nil
}
