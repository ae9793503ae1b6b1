package deliver_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/queue"
)

// activity has what re-encoding would change: spacing, a key order,
// HTML-sensitive characters and non-ASCII text. It must arrive as is.
const activity = `{"@context": "https://www.w3.org/ns/activitystreams",  "type":"Create",
 "id":"http://local.test/videos/watch/1/activity", "actor":"http://local.test/accounts/root",
 "object":{"type":"Note","content":"<p>Tom & Jérôme 🎬</p>"}}`

// TestFanOutSignsAndDedupes fans two activities out to the followers of
// two local actors and extra inboxes: every distinct inbox gets one POST
// with the activity byte for byte, signed at send time with the signer's
// key over (request-target) host date digest, and nothing goes to this
// instance's own origin.
func TestFanOutSignsAndDedupes(t *testing.T) {
	var s *sink
	var lookups atomic.Int32
	e := newEnv(t, envOptions{followers: func(_ context.Context, ref model.ActorRef) ([]string, error) {
		lookups.Add(1)
		switch ref {
		case model.ActorRef{Kind: model.KindAccount, ID: 1}:
			// Two followers on a.test share its inbox; one on b.test has none.
			return []string{s.inbox("a.test", "/inbox"), s.inbox("a.test", "/inbox"), s.inbox("b.test", "/users/bob/inbox")}, nil
		case model.ActorRef{Kind: model.KindChannel, ID: 2}:
			return []string{s.inbox("A.TEST", "/inbox"), s.inbox("c.test", "/inbox"), publicURL + "/inbox"}, nil
		}
		return nil, fmt.Errorf("no actor %v", ref)
	}})
	s = newSink(t, e, nil)
	e.start(2)

	followers := []model.ActorRef{{Kind: model.KindAccount, ID: 1}, {Kind: model.KindChannel, ID: 2}}
	extra := []string{s.inbox("c.test", "/inbox#x"), s.inbox("d.test", "/inbox"), "ftp://e.test/inbox", publicURL + "/accounts/root/inbox"}
	e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Followers: followers, Inboxes: extra})
	e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: channelSigner, KeyID: channelKeyID, Followers: followers[1:]})
	// Single-inbox jobs for one more host, enough to run concurrently.
	for i := range 12 {
		e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: s.inbox("f.test", fmt.Sprintf("/users/u%d/inbox", i))})
	}
	eventually(t, "18 deliveries", func() bool { return s.count() >= 4+2+12 })
	e.settled()
	time.Sleep(100 * time.Millisecond) // nothing more arrives

	got := s.all()
	if len(got) != 18 {
		t.Fatalf("%d POSTs, want 18", len(got))
	}
	want := map[string]string{ // host/path → keyId
		"a.test/inbox": "", "b.test/users/bob/inbox": rootKeyID, "c.test/inbox": "", "d.test/inbox": rootKeyID,
	}
	per := map[string][]string{}
	for _, r := range got {
		host, _, _ := strings.Cut(r.Host, ":")
		per[host+r.Path] = append(per[host+r.Path], keyIDOf(r.Verified))
		if r.VerifyErr != nil {
			t.Errorf("POST %s%s: signature does not verify: %v", r.Host, r.Path, r.VerifyErr)
			continue
		}
		if string(r.Body) != activity {
			t.Errorf("POST %s%s: body changed:\n%s", r.Host, r.Path, r.Body)
		}
		if r.ContentType != deliver.ContentType {
			t.Errorf("Content-Type %q", r.ContentType)
		}
		if !slices.Equal(r.Verified.Headers, []string{"(request-target)", "host", "date", "digest"}) || r.Verified.Algorithm != "rsa-sha256" {
			t.Errorf("signed %v with %s", r.Verified.Headers, r.Verified.Algorithm)
		}
		if r.Verified.RequestTarget != "post "+r.Path || r.Verified.Host != r.Host {
			t.Errorf("signed target %q host %q for %s%s", r.Verified.RequestTarget, r.Verified.Host, r.Host, r.Path)
		}
	}
	for k, keyID := range want {
		ids := per[k]
		switch {
		case keyID == "" && !slices.Equal(sorted(ids), sorted([]string{rootKeyID, channelKeyID})):
			t.Errorf("%s got keyIds %v, want one POST from each signer", k, ids)
		case keyID != "" && !slices.Equal(ids, []string{keyID}):
			t.Errorf("%s got keyIds %v, want one POST by %s", k, ids, keyID)
		}
	}
	for i := range 12 {
		if n := len(s.to("f.test", fmt.Sprintf("/users/u%d/inbox", i))); n != 1 {
			t.Errorf("f.test inbox %d got %d POSTs", i, n)
		}
	}
	if n := lookups.Load(); n != 3 {
		t.Errorf("%d follower lookups, want 3", n)
	}
	// One keyring read per signer, whatever the number of deliveries.
	if r, c := e.keys.readsOf(rootSigner), e.keys.readsOf(channelSigner); r != 1 || c != 1 {
		t.Errorf("keyring reads: root %d, channel %d; want 1 each", r, c)
	}
	if st := e.stats(e.dead); st.Visible != 0 {
		t.Errorf("%d dead letters", st.Visible)
	}
	if !strings.Contains(e.logs.String(), "ftp://e.test/inbox") {
		t.Error("the unusable inbox was not logged")
	}
}

func sorted[T cmp.Ordered](s []T) []T {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func keyIDOf(v *httpsig.Verified) string {
	if v == nil {
		return ""
	}
	return v.KeyID
}

// TestRetryWithBackoff answers 503, then 429, then 202: the job is tried
// again after BaseDelay, then after twice that, each try signed afresh.
func TestRetryWithBackoff(t *testing.T) {
	const base = 300 * time.Millisecond
	e := newEnv(t, envOptions{baseDelay: base})
	s := newSink(t, e, func(_ *http.Request, n int) int {
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			return http.StatusTooManyRequests
		}
		return http.StatusAccepted
	})
	e.start(1)
	e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: s.inbox("a.test", "/inbox")})
	eventually(t, "three tries", func() bool { return s.count() >= 3 })
	e.settled()
	got := s.all()
	if len(got) != 3 {
		t.Fatalf("%d tries, want 3", len(got))
	}
	for i, r := range got {
		if r.VerifyErr != nil || string(r.Body) != activity {
			t.Errorf("try %d: verify %v, body %q", i+1, r.VerifyErr, r.Body)
		}
	}
	gap1, gap2 := got[1].At.Sub(got[0].At), got[2].At.Sub(got[1].At)
	const slack = 400 * time.Millisecond
	if gap1 < base || gap1 > base+slack {
		t.Errorf("first retry after %s, want %s", gap1, base)
	}
	if gap2 < 2*base || gap2 > 2*base+slack {
		t.Errorf("second retry after %s, want %s", gap2, 2*base)
	}
	if st := e.stats(e.dead); st.Visible != 0 {
		t.Errorf("%d dead letters", st.Visible)
	}
	if e.keys.readsOf(rootSigner) != 1 {
		t.Errorf("%d keyring reads, want 1", e.keys.readsOf(rootSigner))
	}
}

// TestClientErrorsDrop: a 4xx other than 408 and 429 is final.
func TestClientErrorsDrop(t *testing.T) {
	e := newEnv(t, envOptions{})
	s := newSink(t, e, func(r *http.Request, _ int) int {
		if strings.HasPrefix(r.Host, "gone.") {
			return http.StatusGone
		}
		return http.StatusBadRequest
	})
	e.start(1)
	for _, host := range []string{"a.test", "gone.test"} {
		e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: s.inbox(host, "/inbox")})
	}
	eventually(t, "two POSTs", func() bool { return s.count() >= 2 })
	e.settled()
	time.Sleep(200 * time.Millisecond) // a retry would be due by now (base 50ms)
	if n := s.count(); n != 2 {
		t.Fatalf("%d POSTs, want 2 (no retries)", n)
	}
	if st := e.stats(e.dead); st.Visible != 0 {
		t.Errorf("%d dead letters", st.Visible)
	}
	if n := strings.Count(e.logs.String(), "delivery refused, dropped"); n != 2 {
		t.Errorf("%d drops logged, want 2:\n%s", n, e.logs)
	}
}

// TestDeadLetterAfterMaxAttempts: a host that keeps failing gets
// MaxAttempts tries, then the job goes to the dead-letter queue with its
// last error, or, without one, is logged and dropped.
func TestDeadLetterAfterMaxAttempts(t *testing.T) {
	for _, withQueue := range []bool{true, false} {
		t.Run(fmt.Sprintf("dead-letter queue %v", withQueue), func(t *testing.T) {
			e := newEnv(t, envOptions{maxAttempts: 3, baseDelay: 20 * time.Millisecond, noDeadQueue: !withQueue})
			s := newSink(t, e, func(*http.Request, int) int { return http.StatusInternalServerError })
			e.start(1)
			inbox := s.inbox("a.test", "/inbox")
			e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: inbox})
			eventually(t, "three tries", func() bool { return s.count() >= 3 })
			e.settled()
			time.Sleep(150 * time.Millisecond)
			if n := s.count(); n != 3 {
				t.Fatalf("%d tries, want 3", n)
			}
			dl, err := e.dead.Receive(context.Background(), 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !withQueue {
				if len(dl) != 0 || !strings.Contains(e.logs.String(), "delivery given up and dropped") {
					t.Fatalf("%d dead letters; logs:\n%s", len(dl), e.logs)
				}
				return
			}
			if len(dl) != 1 {
				t.Fatalf("%d dead letters, want 1", len(dl))
			}
			var j deliver.Job
			if err := json.Unmarshal([]byte(dl[0].Body), &j); err != nil {
				t.Fatal(err)
			}
			if j.Inbox != inbox || j.Attempt != 3 || string(j.Activity) != activity || j.Signer != rootSigner || j.KeyID != rootKeyID {
				t.Errorf("dead letter %+v", j)
			}
			if !strings.Contains(dl[0].Attributes["error"], "500") {
				t.Errorf("error attribute %q", dl[0].Attributes["error"])
			}
		})
	}
}

// TestDeadHostDoesNotSlowOthers: one host accepts connections and never
// answers; 60 jobs for it are mixed with one job for each of 20 live
// hosts. The live hosts are all served within about one client timeout,
// the dead host costs one timeout per consumer (its other jobs are
// rescheduled without a try), and its jobs wait for a retry.
func TestDeadHostDoesNotSlowOthers(t *testing.T) {
	const timeout = time.Second
	e := newEnv(t, envOptions{timeout: timeout, baseDelay: time.Minute})
	s := newSink(t, e, nil)
	deadPort, accepted := deadHost(t)

	var ms []queue.Message
	job := func(inbox string) {
		j := deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: inbox}
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, queue.Message{Body: string(b)})
	}
	for i := range 80 {
		if i%4 == 3 {
			job(s.inbox(fmt.Sprintf("live%d.test", i/4), "/inbox"))
		} else {
			job(fmt.Sprintf("http://dead.test:%s/users/u%d/inbox", deadPort, i))
		}
	}
	// Warm the key cache so the measure is of delivery alone.
	e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Inbox: s.inbox("warm.test", "/inbox")})
	e.start(2)
	eventually(t, "warm-up", func() bool { return s.count() == 1 })

	start := time.Now()
	if _, err := e.q.SendBatch(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	eventually(t, "20 live deliveries", func() bool { return s.count() == 21 })
	took := time.Since(start)
	bound := timeout + 900*time.Millisecond
	if took > bound {
		t.Errorf("20 live hosts served in %s, want within %s", took, bound)
	}
	// All 60 dead-host jobs are rescheduled (a minute away), none after a
	// try of its own beyond the first wave.
	eventually(t, "dead-host jobs rescheduled", func() bool {
		st := e.stats(e.q)
		return st.Delayed == 60 && st.Visible == 0 && st.InFlight == 0
	})
	if n := accepted(); n < 1 || n > 2*10 {
		t.Errorf("dead host accepted %d connections, want 1 to 20 (one batch per consumer)", n)
	}
	t.Logf("live hosts served in %s; dead host tried %d times", took, accepted())
}

// TestMalformedJobsDropped: bodies that are not valid jobs are logged and
// deleted, never retried or dead-lettered, and the valid job beside them
// is delivered.
func TestMalformedJobsDropped(t *testing.T) {
	e := newEnv(t, envOptions{visibility: 300 * time.Millisecond})
	s := newSink(t, e, nil)
	ok := s.inbox("a.test", "/inbox")
	bad := []string{
		`not json`,
		`{"activity":[1],"signer":"account:root","keyId":"` + rootKeyID + `","inbox":"` + ok + `"}`,
		`{"activity":{},"signer":"","keyId":"` + rootKeyID + `","inbox":"` + ok + `"}`,
		`{"activity":{},"signer":"account:root","keyId":"` + rootKeyID + `"}`,
		`{"activity":{},"signer":"account:root","keyId":"` + rootKeyID + `","inbox":"ftp://a.test/inbox"}`,
		`{"activity":{},"signer":"account:root","keyId":"` + rootKeyID + `","inbox":"` + ok + `","attempt":-1}`,
		`{"activity":{},"signer":"account:root","keyId":"` + rootKeyID + `","inbox":"` + ok + `","inboxes":["` + ok + `"]}`,
		`{"activity":{},"signer":"account:root","keyId":"key\"1","inbox":"` + ok + `"}`,
		`{"activity":{},"signer":"account:root","keyId":"` + rootKeyID + `","followers":[{"Kind":"video","ID":1}]}`,
		`["an array"]`,
	}
	var ms []queue.Message
	for _, b := range bad {
		ms = append(ms, queue.Message{Body: b})
	}
	good, _ := json.Marshal(deliver.Job{Activity: json.RawMessage(`{"type":"Follow"}`), Signer: rootSigner, KeyID: rootKeyID, Inbox: ok})
	ms = append(ms, queue.Message{Body: string(good)})
	if _, err := e.q.SendBatch(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	e.start(1)
	eventually(t, "the valid job", func() bool { return s.count() == 1 })
	e.settled()
	time.Sleep(500 * time.Millisecond) // past the visibility timeout: nothing comes back
	if n := s.count(); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if st := e.stats(e.q); st.Dead != 0 || st.Visible != 0 {
		t.Errorf("deliver queue: %+v", st)
	}
	if n := strings.Count(e.logs.String(), "malformed delivery job dropped"); n != len(bad) {
		t.Errorf("%d drops logged, want %d:\n%s", n, len(bad), e.logs)
	}
	if strings.Contains(e.logs.String(), "will be retried") || strings.Contains(e.logs.String(), "deliver it again") {
		t.Errorf("a record was failed:\n%s", e.logs)
	}
}

// TestPartialFanOutRedelivered: when the queue refuses part of a fan-out
// (300 inboxes, enqueued in two SendBatch calls), the fan-out is reported
// failed and delivered again, and its second handling enqueues only the
// inbox that was refused.
func TestPartialFanOutRedelivered(t *testing.T) {
	const n, refused = 300, "/users/u270/inbox"
	var faulty *faultySender
	var s *sink
	e := newEnv(t, envOptions{
		visibility: 300 * time.Millisecond,
		followers: func(context.Context, model.ActorRef) ([]string, error) {
			var out []string
			for i := range n {
				out = append(out, s.inbox("a.test", fmt.Sprintf("/users/u%d/inbox", i)))
			}
			return out, nil
		},
		wrap: func(q queue.Sender) queue.Sender {
			faulty = &faultySender{Sender: q, fail: func(m queue.Message) bool { return strings.Contains(m.Body, refused+`"`) }}
			return faulty
		},
	})
	s = newSink(t, e, nil)
	e.start(2)
	e.enqueue(deliver.Job{Activity: json.RawMessage(activity), Signer: rootSigner, KeyID: rootKeyID, Followers: []model.ActorRef{{Kind: model.KindAccount, ID: 1}}})
	eventually(t, "all deliveries", func() bool { return s.count() >= n })
	e.settled()
	time.Sleep(200 * time.Millisecond)
	if got := s.count(); got != n {
		t.Errorf("%d POSTs, want %d", got, n)
	}
	for i := range n {
		if got := len(s.to("a.test", fmt.Sprintf("/users/u%d/inbox", i))); got != 1 {
			t.Errorf("inbox %d got %d POSTs, want 1", i, got)
		}
	}
	// Two calls (256 and 44 jobs, at once), then the refused one alone.
	batches := faulty.sent()
	if got := sizes(batches); len(got) != 3 || !slices.Equal(sorted(got[:2]), []int{44, 256}) || got[2] != 1 || !strings.Contains(batches[2][0].Body, refused) {
		t.Errorf("SendBatch sizes %v, want 256 and 44, then the refused inbox alone", got)
	}
	if !strings.Contains(e.logs.String(), "deliver it again") {
		t.Errorf("the partial fan-out was not reported failed:\n%s", e.logs)
	}
}

func sizes(bs [][]queue.Message) []int {
	var out []int
	for _, b := range bs {
		out = append(out, len(b))
	}
	return out
}

// TestEnqueueChecksJobs: Enqueue refuses what could never be delivered and
// sends the rest as one message whose activity is byte for byte the one
// given.
func TestEnqueueChecksJobs(t *testing.T) {
	e := newEnv(t, envOptions{})
	act := json.RawMessage(activity)
	cases := []struct {
		name string
		job  deliver.Job
	}{
		{"no activity", deliver.Job{Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox"}},
		{"activity not an object", deliver.Job{Activity: json.RawMessage(`"x"`), Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox"}},
		{"activity not JSON", deliver.Job{Activity: json.RawMessage(`{"a":`), Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox"}},
		{"no signer", deliver.Job{Activity: act, KeyID: rootKeyID, Inbox: "https://a.example/inbox"}},
		{"no keyId", deliver.Job{Activity: act, Signer: rootSigner, Inbox: "https://a.example/inbox"}},
		{"keyId not a URL", deliver.Job{Activity: act, Signer: rootSigner, KeyID: "main-key", Inbox: "https://a.example/inbox"}},
		{"no destination", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID}},
		{"inbox and fan-out", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox", Inboxes: []string{"https://b.example/inbox"}}},
		{"inbox not http", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Inbox: "mailto:a@example.com"}},
		{"own origin", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Inbox: "HTTP://LOCAL.TEST:80/inbox"}},
		{"followers without lookup", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Followers: []model.ActorRef{{Kind: model.KindAccount, ID: 1}}}},
		{"negative attempt", deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox", Attempt: -1}},
		{"too large", deliver.Job{Activity: json.RawMessage(`{"x":"` + strings.Repeat("a", queue.MaxBodyBytes) + `"}`), Signer: rootSigner, KeyID: rootKeyID, Inbox: "https://a.example/inbox"}},
	}
	for _, c := range cases {
		err := e.d.Enqueue(context.Background(), c.job)
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.name == "too large" && !errors.Is(err, queue.ErrTooLarge):
			t.Errorf("%s: %v, want queue.ErrTooLarge", c.name, err)
		case c.name != "too large" && !errors.Is(err, deliver.ErrInvalid):
			t.Errorf("%s: %v, want deliver.ErrInvalid", c.name, err)
		}
	}
	if st := e.stats(e.q); st.Visible != 0 {
		t.Fatalf("refused jobs were sent: %+v", st)
	}

	j := deliver.Job{Activity: act, Signer: rootSigner, KeyID: rootKeyID, Inboxes: []string{"https://b.example/inbox"}, Attempt: 2}
	if err := e.d.Enqueue(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	got, err := e.q.Receive(context.Background(), 10, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("%d messages: %v", len(got), err)
	}
	if !strings.HasPrefix(got[0].Body, `{"activity":`+activity+`,"signer":"account:root",`) {
		t.Errorf("body %s", got[0].Body)
	}
	var back deliver.Job
	if err := json.Unmarshal([]byte(got[0].Body), &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Activity) != activity || back.Attempt != 2 || !slices.Equal(back.Inboxes, j.Inboxes) || !back.FanOut() {
		t.Errorf("round trip: %+v", back)
	}
}
