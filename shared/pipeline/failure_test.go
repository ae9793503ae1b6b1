package pipeline_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/store"
)

// checkFailed checks a video that failed for good: state 7 with the
// reason, nothing published, no plan.
func checkFailed(t *testing.T, h *harness, id int64, reasons ...string) {
	t.Helper()
	v := h.video(id)
	if v.State != model.StateTranscodingFailed {
		t.Fatalf("state %d (%q), want %d", v.State, v.StateReason, model.StateTranscodingFailed)
	}
	if !slices.Contains(reasons, v.StateReason) {
		t.Errorf("state reason %q, want one of %q", v.StateReason, reasons)
	}
	for _, p := range []string{"static/", "lazy-static/", mediakeys.Work} {
		if left := h.keys(p); len(left) > 0 {
			t.Errorf("objects under %s for a failed video: %v", p, left)
		}
	}
	if _, err := h.st.Plan(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("plan of a failed video: %v", err)
	}
}

// onlyIngest checks that the one ingest delivery succeeded (the message is
// deleted) and that no other job was queued.
func onlyIngest(t *testing.T, h *harness) {
	t.Helper()
	ds := h.deliveries()
	if len(ds) != 1 || ds[0].job.Kind != pipeline.KindIngest || ds[0].failed {
		t.Errorf("deliveries %+v, want one ingest, not failed", ds)
	}
	h.queueEmpty()
}

func TestUnreadableInputFailsForGood(t *testing.T) {
	fx := media(t)
	const unreadable = "The file is not a video or audio file ffmpeg can read"
	cases := []struct {
		name    string
		reasons []string
		data    []byte
	}{
		// ffprobe's detection of random data varies: no format, or one
		// that is not accepted.
		{"random bytes", []string{unreadable, "The file is not in a video or audio format we accept"}, readFile(t, fx.random)},
		{"text", []string{unreadable}, []byte(strings.Repeat("not a video\n", 100))},
		// The recorded size tells an empty upload before any probing.
		{"empty", []string{"The file is empty"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			v := h.submit(tc.name, "clip.mp4", tc.data)
			h.drain(drainOptions{})
			onlyIngest(t, h)
			checkFailed(t, h, v.ID, tc.reasons...)
			if !h.exists(v.Source.Key) {
				t.Errorf("the original of a failed video is deleted")
			}
		})
	}
}

func TestMissingSourceIsRetriedThenFails(t *testing.T) {
	h := newHarness(t, setup{maxAttempts: 3, visibility: 200 * time.Millisecond})
	v := h.submit("Gone", "clip.mp4", []byte("soon deleted"))
	if err := h.blobs.Delete(context.Background(), v.Source.Key); err != nil {
		t.Fatal(err)
	}
	h.drain(drainOptions{after: func(d delivery) {
		w := h.video(v.ID)
		switch {
		case d.receive < 3 && (!d.failed || w.State != model.StateToTranscode):
			t.Errorf("attempt %d: failed %v, state %d; want a retry in state 2", d.receive, d.failed, w.State)
		case d.receive == 3 && (d.failed || w.State != model.StateTranscodingFailed):
			t.Errorf("last attempt: failed %v, state %d; want the message deleted in state 7", d.failed, w.State)
		}
	}})
	var receives []int
	for _, d := range h.deliveries() {
		receives = append(receives, d.receive)
	}
	if len(receives) != 3 || receives[2] != 3 {
		t.Errorf("receives %v, want 1 2 3", receives)
	}
	h.queueEmpty()
	checkFailed(t, h, v.ID, "Transcoding failed: the server could not process this video.")
}

func TestDeletedVideoMakesItsJobsNoOps(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{resolutions: []int{144}, chunkSeconds: 4})
	orig := readFile(t, fx.clip10)

	// Deleted while its encodes are queued.
	v := h.submit("Deleted", "clip.mp4", orig)
	var staticAfterIngest int
	h.drain(drainOptions{after: func(d delivery) {
		if d.job.Kind == pipeline.KindIngest {
			staticAfterIngest = len(h.keys("static/"))
			if err := h.st.DeleteVideo(context.Background(), h.video(v.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}})
	// Deleted before its ingest.
	w := h.upload("Deleted early", "clip.mp4", orig)
	if err := h.st.DeleteVideo(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	h.enqueueIngest(w.ID)
	h.drain(drainOptions{})

	ds := h.deliveries()
	if len(ds) != 1+6+1 {
		t.Errorf("%d deliveries, want the ingest, 6 chunk encodes and the second ingest", len(ds))
	}
	for _, d := range ds {
		if d.failed || d.receive != 1 {
			t.Errorf("delivery %d of %+v failed %v", d.receive, d.job, d.failed)
		}
		if d.job.Kind == pipeline.KindAssemble || d.job.Kind == pipeline.KindFinalize {
			t.Errorf("a deleted video's jobs queued %+v", d.job)
		}
	}
	h.queueEmpty()
	if n := len(h.keys("static/")); n != staticAfterIngest {
		t.Errorf("%d objects under static/ after the jobs of a deleted video, %d before", n, staticAfterIngest)
	}
	if left := h.keys(mediakeys.Work); len(left) > 0 {
		t.Errorf("a deleted video's jobs left work files %v", left)
	}
	for _, id := range []int64{v.ID, w.ID} {
		if _, err := h.st.Video(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("video %d: %v", id, err)
		}
	}
	h.workDirEmpty()
}

func TestMalformedMessagesAreDropped(t *testing.T) {
	h := newHarness(t, setup{})
	ctx := context.Background()
	bodies := []string{
		"not json",
		`{"kind":"transcode-everything","videoId":1,"chunk":-1}`,
		`{"kind":"encode","videoId":1,"rendition":"big","chunk":-1}`,
		`{"kind":"ingest","videoId":0,"chunk":-1}`,
		`{"kind":"ingest","videoId":"1"}`,
	}
	for _, b := range bodies {
		if _, err := h.q.Send(ctx, queue.Message{Body: b}); err != nil {
			t.Fatal(err)
		}
	}
	h.drain(drainOptions{})
	ds := h.deliveries()
	if len(ds) != len(bodies) {
		t.Errorf("%d deliveries of %d malformed messages", len(ds), len(bodies))
	}
	for _, d := range ds {
		if d.failed {
			t.Errorf("malformed %q was retried", d.body)
		}
	}
	h.queueEmpty()
}

// A batch of several records fails only the ones to retry.
func TestBatchReportsOnlyTheRecordsToRetry(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{maxAttempts: 3})
	ctx := context.Background()
	gone := h.upload("Gone", "clip.mp4", []byte("soon deleted"))
	if err := h.blobs.Delete(ctx, gone.Source.Key); err != nil {
		t.Fatal(err)
	}
	bad := h.upload("Bad", "clip.mp4", readFile(t, fx.random))
	deleted := h.upload("Deleted", "clip.mp4", readFile(t, fx.clip4))
	if err := h.st.DeleteVideo(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	ingest := func(id int64) string {
		return pipeline.Job{Kind: pipeline.KindIngest, VideoID: id, Chunk: -1}.Message().Body
	}
	rec := func(id, body, receive string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: body, Attributes: map[string]string{"ApproximateReceiveCount": receive}}
	}
	resp, err := h.p.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		rec("m1", "{", "1"),
		rec("m2", ingest(gone.ID), "1"),
		rec("m3", ingest(bad.ID), "1"),
		rec("m4", ingest(deleted.ID), "1"),
		rec("m5", ingest(gone.ID), "3"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m2" {
		t.Errorf("batch item failures %+v, want only m2 (a missing source before the last attempt)", resp.BatchItemFailures)
	}
	checkFailed(t, h, bad.ID, "The file is not a video or audio file ffmpeg can read")
	// m5 was the last attempt of the missing source's ingest.
	checkFailed(t, h, gone.ID, "Transcoding failed: the server could not process this video.")
	h.queueEmpty()
}
