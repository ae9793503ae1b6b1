package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// instance is one running local Vidiverse process (the binary of make
// run) with its own port and temporary directory.
type instance struct {
	cmd      *exec.Cmd
	origin   string // http://127.0.0.1:PORT, the instance itself
	dir      string // removed by stop
	password string // root's
	logPath  string
	exited   chan struct{}
}

// readyLine is what the local instance prints once it serves.
const readyLine = "Press Ctrl-C to stop."

// startInstance runs bin on port with publicURL as its PUBLIC_URL and env
// added, and waits until it serves. The process gets a process group of
// its own, so stop ends the ffmpeg runs it started too.
func startInstance(ctx context.Context, bin string, port int, publicURL string, env []string) (*instance, error) {
	dir, err := os.MkdirTemp("", "vidiverse-bench-p2p-")
	if err != nil {
		return nil, fmt.Errorf("start instance: %w", err)
	}
	inst := &instance{dir: dir, logPath: filepath.Join(dir, "instance.log"), exited: make(chan struct{})}
	fail := func(err error) (*instance, error) {
		inst.stop()
		return nil, fmt.Errorf("start instance: %w", err)
	}
	inst.origin = "http://127.0.0.1:" + strconv.Itoa(port)
	inst.password = randomPassword()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fail(err)
	}
	logFile, err := os.Create(inst.logPath)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"PORT="+strconv.Itoa(port),
		"PUBLIC_URL="+publicURL,
		"DATA_DIR="+filepath.Join(dir, "data"),
		"ADMIN_PASSWORD="+inst.password,
		"LOG_LEVEL=warn",
		"TMPDIR="+tmp, // the pipeline's work files stay under dir
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = logFile
	// Its own group, and SIGTERM should this process die without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	inst.cmd = cmd
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		announced := false
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			if !announced && strings.TrimSpace(sc.Text()) == readyLine {
				announced = true
				close(ready)
			}
		}
		_ = cmd.Wait()
		close(inst.exited)
	}()
	select {
	case <-ready:
		return inst, nil
	case <-inst.exited:
		return fail(fmt.Errorf("%s exited before serving: %s", bin, inst.logTail()))
	case <-time.After(60 * time.Second):
		return fail(fmt.Errorf("%s did not print %q within 60 s: %s", bin, readyLine, inst.logTail()))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
}

// logTail returns the end of the instance's output, for error messages.
func (in *instance) logTail() string {
	b, err := os.ReadFile(in.logPath)
	if err != nil {
		return "(no log)"
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// stop ends the instance (SIGTERM, then SIGKILL after 5 s), kills
// whatever its process group still runs, and removes its directory. It may
// be called more than once.
func (in *instance) stop() {
	if in.cmd != nil && in.cmd.Process != nil {
		pgid := in.cmd.Process.Pid
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-in.exited
		}
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(os.Stderr, "bench-p2p: kill process group %d: %v\n", pgid, err)
		}
		in.cmd = nil
	}
	if in.dir != "" {
		_ = os.RemoveAll(in.dir)
		in.dir = ""
	}
}

// freePort asks the kernel for a free TCP port on loopback.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// localPackage is the command that make run builds.
const localPackage = "github.com/vidiverse/vidiverse/infra/local"

// buildLocal compiles the local instance into dir (when -local is not
// given); it runs inside the module, from any of its directories.
func buildLocal(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "vidiverse-local")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, localPackage)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w: %s", localPackage, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}

// makeClip writes a test clip of testsrc2 video and a sine tone with
// ffmpeg: H.264/AAC in a faststart MP4.
func makeClip(ctx context.Context, path string, height int, seconds float64) error {
	width := (height*16/9 + 1) &^ 1
	d := strconv.FormatFloat(seconds, 'f', -1, 64)
	args := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=25:duration=%s", width, height, d),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d,
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "128k", "-ac", "2",
		"-movflags", "+faststart", "-shortest", path,
	}
	if out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("make clip %s: %w: %s", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}
