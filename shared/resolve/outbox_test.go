package resolve_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestCrawlOutboxBringsInPublishedVideos(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	// An account's outbox lists Creates with the video embedded.
	rm.capture("/accounts/root/outbox", "peertube-6.1/instance1-activitypub/ap-account-root-outbox.json", peertubeHost)
	rm.capture("/accounts/root/outbox?page=1", "peertube-6.1/instance1-activitypub/ap-account-root-outbox-page1.json", peertubeHost)
	n, err := e.r.CrawlOutbox(ctx, rm.URL+"/accounts/root/outbox", 30)
	if err != nil || n != 1 {
		t.Fatalf("crawl of root's outbox: %d %v", n, err)
	}
	v, err := e.st.VideoByURL(ctx, rm.URL+"/videos/watch/"+ptVideoUUID)
	if err != nil || v.Name != "Test pattern clip" {
		t.Fatalf("crawled video %+v %v", v, err)
	}
	if got := rm.fetched(); slices.Contains(got, "/videos/watch/"+ptVideoUUID) {
		t.Errorf("a video embedded in a Create was fetched: %v", got)
	}

	// A channel's lists Announces naming the video: held now, not fetched.
	rm.capture("/video-channels/root_channel/outbox?page=1", "peertube-6.1/instance1-activitypub/ap-channel-root_channel-outbox-page1.json", peertubeHost)
	n, err = e.r.CrawlOutbox(ctx, rm.URL+"/video-channels/root_channel/outbox?page=1", 30)
	if err != nil || n != 1 {
		t.Fatalf("crawl of the channel's outbox page: %d %v", n, err)
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/video-channels/root_channel/outbox?page=1"}) {
		t.Errorf("fetched %v", got)
	}

	// An outbox page listing another host's activities brings nothing in;
	// a page that names itself on another host is refused; a missing
	// outbox is an error.
	e2 := newEnv(t)
	rm2 := newRemote(t, e2)
	servePeerTube(rm2)
	other := newRemote(t, e2)
	page := rm2.rewrite(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-account-root-outbox-page1.json"), peertubeHost)
	other.serve("/outbox?page=1", bytes.Replace(page, []byte(`"id":"`+rm2.URL+"/accounts/root/outbox?page=1"),
		[]byte(`"id":"`+other.URL+"/outbox?page=1"), 1))
	if n, err := e2.r.CrawlOutbox(ctx, other.URL+"/outbox?page=1", 30); n != 0 || err != nil {
		t.Errorf("page of another host's activities: %d %v", n, err)
	}
	if _, err := e2.st.VideoByUUID(ctx, ptVideoUUID); err == nil {
		t.Error("a video listed by another host's outbox was stored")
	}
	other.serve("/outbox2?page=1", page)
	if n, err := e2.r.CrawlOutbox(ctx, other.URL+"/outbox2?page=1", 30); n != 0 || err == nil {
		t.Errorf("page naming itself elsewhere: %d %v", n, err)
	}
	if n, err := e.r.CrawlOutbox(ctx, rm.URL+"/accounts/nobody/outbox", 30); n != 0 || err == nil {
		t.Errorf("missing outbox: %d %v", n, err)
	}
}
