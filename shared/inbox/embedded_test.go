package inbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// openQueue opens a real embedded queue in a temporary directory.
func openQueue(t *testing.T) *embedded.Queue {
	t.Helper()
	b, err := embedded.Open(filepath.Join(t.TempDir(), "queues.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	q, err := b.Queue("inbox", embedded.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// receiveAll drains the queue, deleting what it receives.
func receiveAll(t *testing.T, q *embedded.Queue) []Message {
	t.Helper()
	var out []Message
	for {
		ds, err := q.Receive(t.Context(), 10, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			return out
		}
		for _, d := range ds {
			var m Message
			if err := json.Unmarshal([]byte(d.Body), &m); err != nil {
				t.Fatalf("message %s is not a Message: %v", d.MessageID, err)
			}
			out = append(out, m)
			if err := q.Delete(t.Context(), d.ReceiptHandle); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A delivery goes through the durable embedded queue engine, once however
// often it is posted, and comes out as the Message the consumer reads.
func TestEmbeddedQueue(t *testing.T) {
	q := openQueue(t)
	f := newFixture(t, func(d *Deps) { d.Queue = q })
	body := aliceCreate()
	for range 2 {
		if code := f.post("/accounts/root/inbox", body, aliceKey(), alice); code != http.StatusAccepted {
			t.Fatalf("status %d, want 202", code)
		}
	}
	msgs := receiveAll(t, q)
	if len(msgs) != 1 {
		t.Fatalf("%d messages received, want 1", len(msgs))
	}
	m := msgs[0]
	var compact bytes.Buffer
	_ = json.Compact(&compact, body)
	if m.ID != commentID+"/activity" || m.Actor != alice || m.Signer != alice || m.Inbox != "/accounts/root/inbox" ||
		m.Forwarded || !bytes.Equal(m.Activity, compact.Bytes()) {
		t.Errorf("received %+v", m)
	}
}

// The largest body taken, with the longest id and actor, still makes a
// message the real queue engine takes (it applies SQS's 256 KiB limit),
// and characters SQS refuses are escaped.
func TestLargestActivityFitsTheQueue(t *testing.T) {
	q := openQueue(t)
	f := newFixture(t, func(d *Deps) { d.Queue = q })
	prefix := "https://remote.example/accounts/"
	long := prefix + strings.Repeat("\u2028", (MaxURLBytes-len(prefix)-2)/3)
	f.keys[long] = keyEntry{long, &aliceKey().PublicKey}
	id := long + "/a"
	if len(id) > MaxURLBytes || len(id) < MaxURLBytes-3 {
		t.Fatalf("id of %d bytes", len(id))
	}
	build := func(content string) []byte { // by hand: json.Marshal would escape U+2028
		return []byte(`{"type":"Create","id":"` + id + `","actor":"` + long +
			`","object":{"type":"Note","id":"` + id + `/n","content":"` + content + `"}}`)
	}
	base := len(build(""))
	// U+2028 is 3 bytes; Go's encoder would write it as 6 in strings.
	content := strings.Repeat("\u2028", (DefaultMaxBodyBytes-base)/3-1) + "\ufffe"
	body := build(content)
	for len(body) < DefaultMaxBodyBytes {
		content += "a"
		body = build(content)
	}
	if len(body) != DefaultMaxBodyBytes {
		t.Fatalf("body of %d bytes, want %d", len(body), DefaultMaxBodyBytes)
	}
	if code, resp := f.do(f.request("/video-channels/root_channel/inbox", body, aliceKey(), long)); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202: %s", code, resp)
	}
	msgs := receiveAll(t, q)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	var got struct{ Object struct{ Content string } }
	if err := json.Unmarshal(msgs[0].Activity, &got); err != nil {
		t.Fatal(err)
	}
	if got.Object.Content != content || msgs[0].Actor != long || msgs[0].Signer != long {
		t.Errorf("activity or actor changed on the way through the queue")
	}
	if !bytes.Contains(msgs[0].Activity, []byte(`\ufffe`)) {
		t.Errorf("U+FFFE not escaped")
	}
	if code := f.post(localInbox, append(body, ' '), aliceKey(), long); code != http.StatusRequestEntityTooLarge {
		t.Errorf("one byte more: status %d, want 413", code)
	}
}

// A body that grows past the queue's limit once U+FFFE is escaped is
// refused before anything is recorded.
func TestActivityTooLargeToQueue(t *testing.T) {
	f := newFixture(t)
	body := activity("Create", commentID+"/activity", alice,
		note(commentID, alice, strings.Repeat("\ufffe", (DefaultMaxBodyBytes-1000)/3)))
	code, resp := f.do(f.request(localInbox, body, aliceKey(), alice))
	if code != http.StatusRequestEntityTooLarge || !bytes.Contains(resp, []byte("too large to queue")) {
		t.Errorf("answer %d %s, want 413", code, resp)
	}
	f.nothingChanged(t)
}
