package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/store"
)

func TestSweepExpiredSessions(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	file := randomBytes(3 << 20)

	// An abandoned resumable upload with a chunk and a staged thumbnail.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = writeForm(&buf, mw, [][2]string{{"name", "Abandoned"}, {"channelId", "1"}, {"filename", "a.mp4"}},
		[]filePart{{"thumbnailfile", "t.jpg", "image/jpeg", bytes.NewReader([]byte{0xff, 0xd8, 1, 2})}}, false)
	resp := hs.do("POST", "/api/v1/videos/upload-resumable", "alice-token", bytes.NewReader(buf.Bytes()), map[string]string{
		"Content-Type": mw.FormDataContentType(), "X-Upload-Content-Length": fmt.Sprint(len(file)), "X-Upload-Content-Type": "video/mp4"})
	abandoned := resp.Header.Get("Location")
	resumeAt(t, hs.putChunk(abandoned, "alice-token", file, 0, 1<<20))
	// An abandoned direct upload with a part sent.
	direct := hs.startDirect("alice-token", int64(len(file)), nil)
	putPart(t, direct.Parts[0].URL, file)
	// A finished upload whose client never sent the final DELETE: its
	// chunks are the video's until joined.
	finished, _ := hs.startResumable("alice-token", initBody(map[string]any{"name": "Finished"}), int64(len(file)), http.StatusCreated)
	videoOf(t, hs.putChunk(finished, "alice-token", file, 0, int64(len(file))))
	src := hs.createCalls()[0].src

	// Nothing has expired yet.
	if n, err := Sweep(ctx, hs.st, hs.blobs, hs.clock.now()); err != nil || n != 0 {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	hs.clock.add(DefaultSessionLifetime - time.Hour)
	// A session started later is still live when the others expire.
	live, _ := hs.startResumable("alice-token", initBody(map[string]any{"name": "Live"}), int64(len(file)), http.StatusCreated)
	resumeAt(t, hs.putChunk(live, "alice-token", file, 0, 1<<20))
	hs.clock.add(2 * time.Hour)

	n, err := Sweep(ctx, hs.st, hs.blobs, hs.clock.now())
	if err != nil || n != 3 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	for _, id := range []string{sessionIDOf(t, abandoned), direct.UploadID, sessionIDOf(t, finished)} {
		if _, err := hs.st.Upload(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session %s survived: %v", id, err)
		}
	}
	if hs.multipartUploads() != 0 {
		t.Fatal("the direct upload's multipart upload survived")
	}
	liveChunks := ChunkPrefix(sessionIDOf(t, live))
	for _, o := range hs.objects() {
		if !strings.HasPrefix(o.Key, src.ChunkPrefix) && !strings.HasPrefix(o.Key, liveChunks) {
			t.Fatalf("object %s survived the sweep", o.Key)
		}
	}
	if len(hs.objects()) != 2 {
		t.Fatalf("objects %+v, want the finished upload's chunk and the live one's", hs.objects())
	}
	if _, err := Join(ctx, hs.blobs, src.ChunkPrefix, src.Key); err != nil {
		t.Fatalf("the finished upload cannot be joined after the sweep: %v", err)
	}
	resumeAt(t, hs.status(live, "alice-token", len(file)))
	if n, err := Sweep(ctx, hs.st, hs.blobs, hs.clock.now()); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}
