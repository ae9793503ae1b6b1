package pipeline_test

import (
	"context"
	"errors"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// shape is what redelivery must not change: the video's files by
// resolution and the objects it has, counted by prefix.
type shape struct {
	state          int
	web, hls       []int
	thumb, preview bool
	objects        map[string]int
}

func shapeOf(h *harness, v model.Video) shape {
	s := shape{state: v.State, thumb: v.Thumbnail != "", preview: v.Preview != "", objects: map[string]int{}}
	for _, f := range v.Files {
		s.web = append(s.web, f.Resolution)
	}
	if v.HLS != nil {
		for _, f := range v.HLS.Files {
			s.hls = append(s.hls, f.Resolution)
		}
	}
	for _, p := range []string{"static/web-videos/", "static/streaming-playlists/", "lazy-static/torrents/",
		"lazy-static/thumbnails/", "lazy-static/previews/", "metadata/", "originals/", "work/", "uploads/"} {
		s.objects[p] = len(h.keys(p))
	}
	return s
}

func TestRedeliveryEndsInTheSameVideo(t *testing.T) {
	fx := media(t)
	cases := []struct {
		name    string
		clip    string
		chunk   float64
		encodes int // distinct encode messages of one delivery each
	}{
		{"whole", fx.clip4, 0, 2},
		{"chunked", fx.clip10, 4, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig := readFile(t, tc.clip)

			// Once each: the reference.
			ref := newHarness(t, setup{resolutions: []int{144}, chunkSeconds: tc.chunk})
			rv := ref.submit("Reference", "clip.mp4", orig)
			ref.drain(drainOptions{})
			if n := ref.count(pipeline.KindEncode); n != tc.encodes {
				t.Fatalf("%d encode jobs, want %d", n, tc.encodes)
			}
			want := shapeOf(ref, checkPublished(t, ref, rv.ID, published{resolutions: []int{240, 144}, original: orig}))

			// Every message two or three times, shuffled, some copies
			// coming late among later jobs.
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			rng := mrand.New(mrand.NewPCG(seed, 7))
			h := newHarness(t, setup{resolutions: []int{144}, chunkSeconds: tc.chunk})
			v := h.submit("Redelivered", "clip.mp4", orig)
			h.drain(drainOptions{rng: rng, copies: func(pipeline.Job) int { return 2 + rng.IntN(2) }})
			h.queueEmpty()
			perMessage := map[string]int{}
			for _, d := range h.deliveries() {
				if d.failed {
					t.Errorf("delivery %d of %+v failed", d.receive, d.job)
				}
				perMessage[d.id]++
			}
			for id, n := range perMessage {
				if n < 2 {
					t.Errorf("message %s delivered %d times", id, n)
				}
			}
			pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
			checkNoOrphans(t, h, pv)
			if got := shapeOf(h, pv); !reflect.DeepEqual(got, want) {
				t.Errorf("redelivered:\n got %+v\nwant %+v", got, want)
			}

			// Late duplicates of every message, after publication, change
			// nothing and queue nothing.
			for _, d := range h.deliveries() {
				if d.receive != 1 {
					continue
				}
				h.handle(context.Background(), events.SQSMessage{MessageId: d.id, Body: d.body,
					Attributes: map[string]string{"ApproximateReceiveCount": "4"}})
			}
			h.queueEmpty()
			if after := h.video(v.ID); !reflect.DeepEqual(after, pv) {
				t.Errorf("late duplicates changed the video:\n%+v\n%+v", after, pv)
			}
			checkNoOrphans(t, h, pv)
			h.workDirEmpty()
		})
	}
}

func TestConcurrentDuplicatesEndInTheSameVideo(t *testing.T) {
	fx := media(t)
	orig := readFile(t, fx.clip4)
	h := newHarness(t, setup{resolutions: []int{144}, visibility: time.Second})
	v := h.submit("Concurrent", "clip.mp4", orig)
	// Each message handled twice at once, as when a visibility timeout
	// runs out while the first consumer is still at work. A copy may fail
	// where the other removed what it needed (a finalize reading the
	// segment hashes the other's clean-up deleted): the message is then
	// received again and its job finds the work done.
	h.drain(drainOptions{parallel: true, copies: func(pipeline.Job) int { return 2 }})
	h.queueEmpty()
	done := map[string]bool{}
	for _, d := range h.deliveries() {
		if !d.failed {
			done[d.id] = true
		}
	}
	for _, d := range h.deliveries() {
		if !done[d.id] {
			t.Errorf("%+v never succeeded", d.job)
		}
	}
	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	checkNoOrphans(t, h, pv)
	h.workDirEmpty()
}

// slowFFmpeg writes an ffmpeg wrapper that logs each run's pid and
// arguments. While the flag file exists, the next run removes it and reads
// its input at native speed (-re), so it takes as long as the clip. While
// flag+".hold" exists, the next run removes it and waits for
// flag+".release" to appear, then fails.
func slowFFmpeg(t *testing.T) (wrapper, flag, log string) {
	dir := t.TempDir()
	wrapper, flag, log = filepath.Join(dir, "ffmpeg"), filepath.Join(dir, "slow"), filepath.Join(dir, "runs.log")
	script := "#!/bin/sh\n" +
		"if rm \"" + flag + ".hold\" 2>/dev/null; then\n" +
		"  echo \"hold $$ $*\" >> \"" + log + "\"\n" +
		"  while [ ! -e \"" + flag + ".release\" ]; do sleep 0.05; done\n" +
		"  exit 1\n" +
		"fi\n" +
		"if rm \"" + flag + "\" 2>/dev/null; then\n" +
		"  echo \"slow $$ $*\" >> \"" + log + "\"\n" +
		"  exec ffmpeg -re \"$@\"\n" +
		"fi\n" +
		"echo \"run $$ $*\" >> \"" + log + "\"\n" +
		"exec ffmpeg \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return wrapper, flag, log
}

// slowPID waits for the slow (or held) run to start and returns its pid.
func slowPID(log string, timeout time.Duration) (int, error) {
	return runPID(log, "slow", timeout)
}

func runPID(log, mode string, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(log)
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[0] == mode {
				return strconv.Atoi(f[1])
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, errors.New("the " + mode + " ffmpeg run did not start")
}

func TestKilledEncodeIsRetriedAndThePublicationCompletes(t *testing.T) {
	fx := media(t)
	orig := readFile(t, fx.clip10)
	wrapper, flag, log := slowFFmpeg(t)
	h := newHarness(t, setup{resolutions: []int{144}, ffmpeg: wrapper, visibility: time.Second})
	v := h.submit("Killed", "clip.mp4", orig)

	var (
		mu     sync.Mutex
		killed string // the message id of the killed delivery
		pid    int
	)
	h.drain(drainOptions{ctx: func(j pipeline.Job, receive int) (context.Context, func()) {
		mu.Lock()
		defer mu.Unlock()
		if j.Kind != pipeline.KindEncode || killed != "" {
			return context.Background(), func() {}
		}
		killed = "pending"
		if err := os.WriteFile(flag, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stop := make(chan struct{})
		go func() {
			p, err := slowPID(log, 20*time.Second)
			if err != nil {
				t.Error(err)
				cancel()
				return
			}
			mu.Lock()
			pid = p
			mu.Unlock()
			select {
			case <-time.After(500 * time.Millisecond): // well into a 10 s run
				cancel()
			case <-stop:
			}
		}()
		return ctx, func() { close(stop); cancel() }
	}, after: func(d delivery) {
		mu.Lock()
		defer mu.Unlock()
		if killed == "pending" {
			killed = d.id
			if !d.failed {
				t.Errorf("the killed encode %+v was not reported as failed", d.job)
			}
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("the killed ffmpeg (pid %d) is still there: %v", pid, err)
			}
			if w := h.video(v.ID); w.State != model.StateToTranscode {
				t.Errorf("after the killed encode: state %d (%s)", w.State, w.StateReason)
			}
		}
	}})
	h.queueEmpty()

	var receives []int
	for _, d := range h.deliveries() {
		if d.id == killed {
			receives = append(receives, d.receive)
		}
	}
	if !slices.Equal(receives, []int{1, 2}) {
		t.Errorf("the killed job was received %v times, want [1 2]", receives)
	}
	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	checkNoOrphans(t, h, pv)
	h.workDirEmpty()
}

// A duplicate whose last attempt fails after another delivery published
// the video leaves the video published.
func TestLateFailureOfADuplicateKeepsThePublishedVideo(t *testing.T) {
	fx := media(t)
	orig := readFile(t, fx.clip4)
	wrapper, flag, log := slowFFmpeg(t)
	h := newHarness(t, setup{resolutions: []int{144}, ffmpeg: wrapper, maxAttempts: 2})
	v := h.submit("Late failure", "clip.mp4", orig)
	ctx := context.Background()
	receive := func() []embedded.Delivery {
		ds, err := h.q.Receive(ctx, 10, time.Second)
		if err != nil || len(ds) == 0 {
			t.Fatalf("receive: %v, %d messages", err, len(ds))
		}
		return ds
	}
	settle := func(ds []embedded.Delivery) {
		for _, d := range ds {
			if h.handle(ctx, record(d, d.ReceiveCount)) {
				t.Fatalf("%s failed", d.Body)
			}
			if err := h.q.Delete(ctx, d.ReceiptHandle); err != nil {
				t.Fatal(err)
			}
		}
	}
	settle(receive()) // the ingest
	encodes := receive()
	if len(encodes) != 2 {
		t.Fatalf("%d encodes, want 2", len(encodes))
	}

	// The last attempt of a copy of the first encode hangs in ffmpeg…
	if err := os.WriteFile(flag+".hold", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	late := make(chan bool, 1)
	go func() { late <- h.handle(ctx, record(encodes[0], 2)) }()
	if _, err := runPID(log, "hold", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	// …while the other deliveries publish the video…
	settle(encodes)
	settle(receive()) // the finalize
	checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	// …then fails.
	if err := os.WriteFile(flag+".release", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if failed := <-late; failed {
		t.Errorf("the last attempt was reported for a retry")
	}
	pv := checkPublished(t, h, v.ID, published{resolutions: []int{240, 144}, original: orig})
	checkNoOrphans(t, h, pv)
	h.queueEmpty()
}
