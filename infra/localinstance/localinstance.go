// Package localinstance runs `make run`'s binary for the benchmarks (make
// bench, make bench-p2p): it builds it when asked, starts it on a port of
// its own with a temporary data directory and a generated root password,
// waits until it serves, and stops it with whatever it started (its own
// process group) and removes its files. API logs in as root and speaks the
// REST calls the benchmarks share.
package localinstance

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

// ReadyLine is what the local instance prints once it serves.
const ReadyLine = "Press Ctrl-C to stop."

// Package is the command that make run builds.
const Package = "github.com/vidiverse/vidiverse/infra/local"

// Options configure Start.
type Options struct {
	// Binary is the local instance's executable.
	Binary string
	// Port to serve on; 0 picks a free one.
	Port int
	// PublicURL is the instance's PUBLIC_URL; "" is its own origin.
	PublicURL string
	// Env is added to this process's environment (after the defaults).
	Env []string
	// Name prefixes messages on stderr and names the temporary directory.
	Name string
}

// Instance is one running local Vidiverse process.
type Instance struct {
	// Origin is http://127.0.0.1:PORT, the instance itself.
	Origin string
	// Password is root's.
	Password string
	// Dir holds its data, temporary files and log; removed by Stop.
	Dir string

	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
}

// Start runs the binary and waits until it serves. The process gets a
// process group of its own, so Stop ends the ffmpeg runs it started too.
func Start(ctx context.Context, o Options) (*Instance, error) {
	if o.Name == "" {
		o.Name = "bench"
	}
	dir, err := os.MkdirTemp("", "vidiverse-"+o.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("start instance: %w", err)
	}
	in := &Instance{Dir: dir, name: o.Name, logPath: filepath.Join(dir, "instance.log"), exited: make(chan struct{})}
	fail := func(err error) (*Instance, error) {
		in.Stop()
		return nil, fmt.Errorf("start instance: %w", err)
	}
	port := o.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return fail(err)
		}
	}
	in.Origin = "http://127.0.0.1:" + strconv.Itoa(port)
	publicURL := o.PublicURL
	if publicURL == "" {
		publicURL = in.Origin
	}
	in.Password = randomPassword()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fail(err)
	}
	logFile, err := os.Create(in.logPath)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()

	cmd := exec.Command(o.Binary)
	cmd.Env = append(os.Environ(),
		"PORT="+strconv.Itoa(port),
		"PUBLIC_URL="+publicURL,
		"DATA_DIR="+filepath.Join(dir, "data"),
		"ADMIN_PASSWORD="+in.Password,
		"LOG_LEVEL=warn",
		"TMPDIR="+tmp, // the pipeline's work files stay under dir
	)
	cmd.Env = append(cmd.Env, o.Env...)
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
	in.cmd = cmd
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		announced := false
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			if !announced && strings.TrimSpace(sc.Text()) == ReadyLine {
				announced = true
				close(ready)
			}
		}
		_ = cmd.Wait()
		close(in.exited)
	}()
	select {
	case <-ready:
		return in, nil
	case <-in.exited:
		return fail(fmt.Errorf("%s exited before serving: %s", o.Binary, in.LogTail()))
	case <-time.After(60 * time.Second):
		return fail(fmt.Errorf("%s did not print %q within 60 s: %s", o.Binary, ReadyLine, in.LogTail()))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
}

// PID is the instance's process id.
func (in *Instance) PID() int { return in.cmd.Process.Pid }

// LogTail returns the end of the instance's output, for error messages.
func (in *Instance) LogTail() string {
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

// Stop ends the instance (SIGTERM, then SIGKILL after 5 s), kills
// whatever its process group still runs, and removes its directory. It may
// be called more than once.
func (in *Instance) Stop() {
	if in.cmd != nil && in.cmd.Process != nil {
		pgid := in.cmd.Process.Pid
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-in.exited
		}
		// ffmpeg runs left behind by a killed instance share its group.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(os.Stderr, "%s: kill process group %d: %v\n", in.name, pgid, err)
		}
		in.cmd = nil
	}
	if in.Dir != "" {
		_ = os.RemoveAll(in.Dir)
		in.Dir = ""
	}
}

// FreePort asks the kernel for a free TCP port on loopback.
func FreePort() (int, error) {
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

// Build compiles the local instance into dir; it runs inside the module,
// from any of its directories.
func Build(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "vidiverse-local")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, Package)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w: %s", Package, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}
