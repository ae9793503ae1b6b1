package pipeline_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/store"
)

// TestFinalizeRedeliveredAfterPublishingCleansUp: a finalize that died
// after publishing (its plan and work files still there) is delivered
// again; the redelivery finishes the clean-up instead of stopping early.
func TestFinalizeRedeliveredAfterPublishingCleansUp(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{})
	v := h.submit("crash", "clip.mp4", readFile(t, fx.clip4))
	h.drain(drainOptions{})
	v = h.video(v.ID)
	if v.State != model.StatePublished {
		t.Fatalf("state %d", v.State)
	}
	ctx := context.Background()
	// Put back what a crash before the clean-up would have left.
	if _, err := h.st.SavePlan(ctx, v.ID, store.Plan{Renditions: map[string]int{"144": 1}, ChunkSeconds: 8}); err != nil {
		t.Fatal(err)
	}
	left := []byte("left over")
	if err := h.blobs.Put(ctx, mediakeys.WorkFile(v.UUID, "144-chunk-000000.mp4"), bytes.NewReader(left), int64(len(left)), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.p.Run(ctx, pipeline.Job{Kind: pipeline.KindFinalize, VideoID: v.ID, Chunk: -1}); err != nil {
		t.Fatal(err)
	}
	if keys := h.keys(mediakeys.WorkFile(v.UUID, "")); len(keys) != 0 {
		t.Fatalf("work files left: %v", keys)
	}
	if _, err := h.st.Plan(ctx, v.ID); err == nil {
		t.Fatal("plan left")
	}
	if got := h.video(v.ID); got.State != model.StatePublished || len(got.Files) != len(v.Files) {
		t.Fatalf("the video changed: %+v", got)
	}
}
