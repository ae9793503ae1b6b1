package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
)

func TestWholeEncodesPublishEveryRendition(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{resolutions: []int{144, 240}})
	orig := readFile(t, fx.clip4)
	v := h.submit("Whole encodes", "clip.mp4", orig)

	var source model.VideoFile
	h.drain(drainOptions{after: func(d delivery) {
		if d.job.Kind != pipeline.KindIngest {
			return
		}
		// Watchable at once: the upload published as it is, transcoding on.
		w := h.video(v.ID)
		if w.State != model.StateToTranscode || len(w.Files) != 1 || !w.Files[0].FromSource {
			t.Fatalf("after ingest: state %d, files %+v", w.State, w.Files)
		}
		source = w.Files[0]
		if source.ID != v.Files[0].ID || source.Resolution != 240 || source.Filename == "" || source.Size != int64(len(orig)) {
			t.Errorf("published original: %+v", source)
		}
		checkTorrent(t, h, mediakeys.Torrent(source.TorrentFilename), mediakeys.WebVideo(source.Filename), orig, source.InfoHash)
		if w.Thumbnail == "" || w.Preview == "" {
			t.Errorf("no images after ingest: %q %q", w.Thumbnail, w.Preview)
		}
	}})
	h.queueEmpty()

	for kind, want := range map[string]int{pipeline.KindIngest: 1, pipeline.KindEncode: 2, pipeline.KindAssemble: 0, pipeline.KindFinalize: 1} {
		if got := h.count(kind); got != want {
			t.Errorf("%d %s jobs, want %d", got, kind, want)
		}
	}
	for _, d := range h.deliveries() {
		if d.failed {
			t.Errorf("job %+v failed", d.job)
		}
		if d.job.Kind == pipeline.KindEncode && d.job.Chunk != -1 {
			t.Errorf("a 4 s clip was chunked: %+v", d.job)
		}
	}

	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	if pv.Duration != 4 || math.Abs(pv.AspectRatio-4.0/3) > 1e-9 {
		t.Errorf("duration %d aspect ratio %g", pv.Duration, pv.AspectRatio)
	}
	for _, f := range pv.Files {
		if !f.HasVideo || !f.HasAudio || f.FPS != 25 || f.Height != f.Resolution {
			t.Errorf("web file %+v", f)
		}
	}
	// The retired original: its web file, torrent and metadata are gone.
	for _, k := range []string{mediakeys.WebVideo(source.Filename), mediakeys.Torrent(source.TorrentFilename), source.MetadataKey} {
		if h.exists(k) {
			t.Errorf("retired %s still stored", k)
		}
	}
	checkNoOrphans(t, h, pv)
	h.workDirEmpty()
}

// runDriver consumes the queue with the local event-source driver, as the
// local stack does, until every video given is out of state 2 and the
// queue is empty.
func (h *harness) runDriver(concurrency int, ids ...int64) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	consumer := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			if h.handle(ctx, rec) {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return resp, nil
	}
	d := eventsource.New(h.q, consumer, eventsource.Options{BatchSize: 1, Concurrency: concurrency,
		PollWait: 100 * time.Millisecond, Timeout: time.Minute})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		settled := true
		for _, id := range ids {
			if h.video(id).State == model.StateToTranscode {
				settled = false
			}
		}
		st, err := h.q.Stats(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if settled && st.Visible+st.InFlight+st.Delayed == 0 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			h.t.Fatalf("videos not settled after 60 s; queue %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		h.t.Fatal(err)
	}
}

func TestChunkedEncodeJoinsFrameExact(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{resolutions: []int{144, 240}, chunkSeconds: 8})
	orig := readFile(t, fx.clip20)
	v := h.submit("Chunked", "clip.mp4", orig)
	h.runDriver(2, v.ID)
	h.queueEmpty()

	chunks := map[string][]pipeline.Job{}
	seen := map[string]bool{}
	for _, d := range h.deliveries() {
		if d.failed {
			t.Errorf("job %+v failed", d.job)
		}
		if d.job.Kind == pipeline.KindEncode && !seen[d.id] {
			seen[d.id] = true
			chunks[d.job.Rendition] = append(chunks[d.job.Rendition], d.job)
		}
	}
	if len(chunks) != 2 {
		t.Fatalf("encodes of renditions %v, want 240 and 144", chunks)
	}
	for r, js := range chunks {
		slices.SortFunc(js, func(a, b pipeline.Job) int { return a.Chunk - b.Chunk })
		want := []struct {
			start, dur float64
			last       bool
		}{{0, 8, false}, {8, 8, false}, {16, 4, true}}
		if len(js) != len(want) {
			t.Fatalf("rendition %s: %d chunk jobs, want 3: %+v", r, len(js), js)
		}
		for i, j := range js {
			if j.Chunk != i || j.Start != want[i].start || math.Abs(j.Duration-want[i].dur) > 0.1 || j.Last != want[i].last {
				t.Errorf("rendition %s chunk %d: %+v", r, i, j)
			}
		}
	}
	if n := h.count(pipeline.KindAssemble); n != 2 {
		t.Errorf("%d assemble jobs, want one per rendition", n)
	}
	if n := h.count(pipeline.KindFinalize); n != 1 {
		t.Errorf("%d finalize jobs, want 1", n)
	}

	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	if pv.Duration != 20 {
		t.Errorf("duration %d, want 20", pv.Duration)
	}
	srcFrames := frameCount(t, fx.clip20)
	dir := t.TempDir()
	for _, f := range pv.Files {
		path := filepath.Join(dir, f.Filename)
		if err := os.WriteFile(path, h.object(mediakeys.WebVideo(f.Filename)), 0o600); err != nil {
			t.Fatal(err)
		}
		if n := frameCount(t, path); n != srcFrames {
			t.Errorf("%dp: %d frames, the source has %d", f.Resolution, n, srcFrames)
		}
		if !f.HasAudio {
			t.Errorf("%dp joined without audio", f.Resolution)
		}
		keys := keyframeTimes(t, path)
		for at := 0.0; at < 20; at += 4 {
			if !slices.ContainsFunc(keys, func(k float64) bool { return math.Abs(k-at) < 0.001 }) {
				t.Errorf("%dp: no keyframe at %gs (keyframes %v)", f.Resolution, at, keys)
			}
		}
	}
	checkNoOrphans(t, h, pv)
	h.workDirEmpty()
}

func TestAudioOnlyInputPublishesOneAudioRendition(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{resolutions: []int{144, 240}})
	orig := readFile(t, fx.song)
	v := h.submit("A song", "song.m4a", orig)
	h.drain(drainOptions{})
	h.queueEmpty()
	pv := checkPublished(t, h, v.ID, published{resolutions: []int{0}, original: orig})
	f := pv.Files[0]
	if f.HasVideo || !f.HasAudio || f.Width != 0 || f.Height != 0 || f.FPS != 0 {
		t.Errorf("audio file %+v", f)
	}
	if pv.Duration != 3 {
		t.Errorf("duration %d, want 3", pv.Duration)
	}
	if n := h.count(pipeline.KindEncode); n != 1 {
		t.Errorf("%d encode jobs, want 1", n)
	}
	checkNoOrphans(t, h, pv)
	h.workDirEmpty()
}

func TestResumableChunksAreJoinedByteIdentical(t *testing.T) {
	fx := media(t)
	h := newHarness(t, setup{resolutions: []int{144}})
	orig := readFile(t, fx.clip4)
	ctx := context.Background()
	session := randomHex(16)
	prefix := mediakeys.Uploads + session + "/"
	n := int64(len(orig))
	a, b := n/3, 2*n/3
	// Chunks as the resumable upload handler names them: bytes [start,
	// end) under the session's prefix; one committed twice by racing
	// requests overlaps its neighbours.
	for _, r := range [][2]int64{{0, a}, {a, b}, {a - 100, b + 100}, {b, n}} {
		key := fmt.Sprintf("%s%020d-%020d", prefix, r[0], r[1])
		part := orig[r[0]:r[1]]
		if err := h.blobs.Put(ctx, key, bytes.NewReader(part), int64(len(part)), blob.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	src := model.SourceFile{Key: mediakeys.Originals + session, Filename: "clip.mp4", Size: n, ChunkPrefix: prefix}
	v := h.createVideo("Resumable", src)
	h.enqueueIngest(v.ID)
	// The ingest is delivered twice: the second finds the join done.
	h.drain(drainOptions{copies: func(j pipeline.Job) int {
		if j.Kind == pipeline.KindIngest {
			return 2
		}
		return 1
	}})
	h.queueEmpty()
	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	if pv.Source.Key != src.Key || pv.Source.ChunkPrefix != "" || pv.Source.Size != n {
		t.Errorf("source after the join: %+v", pv.Source)
	}
	checkNoOrphans(t, h, pv)
}
