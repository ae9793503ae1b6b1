package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
)

// A local instance starts on a free port, takes an upload, publishes its
// original with a torrent, and leaves no process or directory behind.
func TestInstanceUploadAndStop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the local instance")
	}
	input, _ := clip(t, 426, 240, 2)
	ctx := context.Background()
	bin, err := localinstance.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := localinstance.Start(ctx, localinstance.Options{Binary: bin, Env: []string{"TRANSCODING_RESOLUTIONS=240"}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	rss, err := vmRSS(inst.PID())
	if err != nil || rss <= 0 {
		t.Fatalf("rss %d, %v", rss, err)
	}
	c, err := login(ctx, inst.Origin, inst.Password)
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.upload(ctx, input, "bench test")
	if err != nil {
		t.Fatal(err)
	}
	at, v, err := c.waitFor(ctx, up.UUID, time.Minute, hasTorrent)
	if err != nil {
		t.Fatal(err)
	}
	if at.Before(up.Landed) || !up.Landed.After(up.Started) || v.Files[0].TorrentURL == "" {
		t.Errorf("upload %+v, torrent at %v, files %+v", up, at, v.Files)
	}
	pid, dir := inst.PID(), inst.Dir
	inst.Stop()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("instance process %d still exists after stop (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("instance directory %s still exists after stop: %v", dir, err)
	}
}
