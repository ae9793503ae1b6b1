package embedded

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// record is a stored message. Times are Unix nanoseconds.
type record struct {
	ID              string               `json:"id"`
	Body            string               `json:"body"`
	Attributes      map[string]Attribute `json:"attrs,omitempty"`
	SenderID        string               `json:"sender,omitempty"`
	SentAt          int64                `json:"sent"`
	FirstReceivedAt int64                `json:"firstRecv,omitempty"`
	ReceiveCount    int                  `json:"recvs,omitempty"`
	VisibleAt       int64                `json:"visible"`
	ExpiresAt       int64                `json:"expires"`
	// Receipt is the nonce of the latest receive; a receipt handle is valid
	// only while it carries this nonce.
	Receipt string `json:"receipt,omitempty"`
	DeadAt  int64  `json:"dead,omitempty"`
}

// States stored in the due index: a message never received (or redriven)
// is "waiting" (delayed while its visible time is ahead), one received is
// "received" (in flight while its visible time is ahead).
const (
	stateWaiting  byte = 'w'
	stateReceived byte = 'r'
)

// dueEntry is the value of a due-index key (visibleAt + id): enough to
// count, expire and dead-letter without reading the record.
type dueEntry struct {
	state     byte
	receives  uint32
	expiresAt int64
}

func (e dueEntry) encode() []byte {
	v := make([]byte, 13)
	v[0] = e.state
	binary.BigEndian.PutUint32(v[1:5], e.receives)
	binary.BigEndian.PutUint64(v[5:13], uint64(e.expiresAt))
	return v
}

func decodeDue(v []byte) dueEntry {
	if len(v) != 13 {
		return dueEntry{state: stateWaiting}
	}
	return dueEntry{
		state:     v[0],
		receives:  binary.BigEndian.Uint32(v[1:5]),
		expiresAt: int64(binary.BigEndian.Uint64(v[5:13])),
	}
}

// timeKey is an index key: a big-endian time followed by the message id.
func timeKey(at int64, id string) []byte {
	k := make([]byte, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(at))
	copy(k[8:], id)
	return k
}

func splitTimeKey(k []byte) (int64, string) {
	return int64(binary.BigEndian.Uint64(k[:8])), string(k[8:])
}

func (r *record) dueKey() []byte { return timeKey(r.VisibleAt, r.ID) }

func (r *record) dueValue() []byte {
	st := stateWaiting
	if r.Receipt != "" {
		st = stateReceived
	}
	return dueEntry{state: st, receives: uint32(r.ReceiveCount), expiresAt: r.ExpiresAt}.encode()
}

// buckets are one queue's buckets inside a transaction.
type buckets struct {
	msgs, due, dead *bolt.Bucket
}

func (bk buckets) get(id string) (*record, error) {
	v := bk.msgs.Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode message %s: %w", id, err)
	}
	return &r, nil
}

func (bk buckets) put(r *record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode message %s: %w", r.ID, err)
	}
	return bk.msgs.Put([]byte(r.ID), v)
}

// remove deletes a live (not dead) message and its due-index entry.
func (bk buckets) remove(r *record) error {
	if err := bk.due.Delete(r.dueKey()); err != nil {
		return err
	}
	return bk.msgs.Delete([]byte(r.ID))
}

// toDead moves a live message to the dead-letter state.
func (bk buckets) toDead(r *record, now time.Time, retention time.Duration) error {
	if err := bk.due.Delete(r.dueKey()); err != nil {
		return err
	}
	r.DeadAt = now.UnixNano()
	r.Receipt = ""
	r.ExpiresAt = now.Add(retention).UnixNano()
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(r.ExpiresAt))
	if err := bk.dead.Put(timeKey(r.DeadAt, r.ID), exp[:]); err != nil {
		return err
	}
	return bk.put(r)
}

func (r *record) delivery(handle string) Delivery {
	d := Delivery{
		MessageID:       r.ID,
		ReceiptHandle:   handle,
		Body:            r.Body,
		TypedAttributes: r.Attributes,
		ReceiveCount:    r.ReceiveCount,
		SenderID:        r.SenderID,
		SentAt:          time.Unix(0, r.SentAt),
	}
	if r.FirstReceivedAt != 0 {
		d.FirstReceivedAt = time.Unix(0, r.FirstReceivedAt)
	}
	if len(r.Attributes) > 0 {
		d.Attributes = make(map[string]string, len(r.Attributes))
		for k, a := range r.Attributes {
			if !strings.HasPrefix(a.DataType, "Binary") {
				d.Attributes[k] = a.StringValue
			}
		}
	}
	return d
}

// Receipt handles are base64url("id:nonce").
func receiptHandle(id, nonce string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id + ":" + nonce))
}

func parseReceiptHandle(h string) (id, nonce string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	id, nonce, ok = strings.Cut(string(raw), ":")
	return id, nonce, ok && id != "" && nonce != ""
}

// newID returns a random (version 4) UUID, the form SQS message ids take.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newNonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
