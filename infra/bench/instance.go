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
// run) with its own port, data directory and temporary directory.
type instance struct {
	cmd      *exec.Cmd
	url      string // http://127.0.0.1:PORT
	dir      string // removed by stop
	password string // root's
	logPath  string
	exited   chan struct{}
}

// readyLine is what the local instance prints once it serves.
const readyLine = "Press Ctrl-C to stop."

// startInstance runs bin with env added to this process's environment and
// waits until it serves. The process gets a process group of its own, so
// stop can end the ffmpeg runs it started too.
func startInstance(ctx context.Context, bin string, env []string) (*instance, error) {
	dir, err := os.MkdirTemp("", "vidiverse-bench-")
	if err != nil {
		return nil, fmt.Errorf("start instance: %w", err)
	}
	inst := &instance{dir: dir, logPath: filepath.Join(dir, "instance.log"), exited: make(chan struct{})}
	fail := func(err error) (*instance, error) {
		inst.stop()
		return nil, fmt.Errorf("start instance: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	inst.url = "http://127.0.0.1:" + strconv.Itoa(port)
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
		"PUBLIC_URL="+inst.url,
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

// pid is the instance's process id.
func (in *instance) pid() int { return in.cmd.Process.Pid }

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
		// ffmpeg runs left behind by a killed instance share its group.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(os.Stderr, "bench: kill process group %d: %v\n", pgid, err)
		}
		in.cmd = nil
	}
	if in.dir != "" {
		_ = os.RemoveAll(in.dir)
		in.dir = ""
	}
}

// rssBytes reads the instance's resident set size (VmRSS) from /proc.
func (in *instance) rssBytes() (int64, error) {
	return vmRSS(in.pid())
}

// vmRSS reads a process's VmRSS from /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read rss of %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("read rss of %d: %w", pid, err)
				}
				return kb << 10, nil
			}
		}
	}
	return 0, fmt.Errorf("read rss of %d: no VmRSS line", pid)
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
