package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the real `make run` binary: separate processes, real
// ports, real data directories, and PeerTube's own CLI when PEERTUBE_CLI
// names it (make test installs it and sets it).

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vidiverse-local-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "vidiverse-local")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type instance struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	banner []string
	done   chan error
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs the binary with env and waits for its banner.
func start(t *testing.T, port int, dataDir string, env ...string) *instance {
	t.Helper()
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "DATA_DIR="+dataDir, "LOG_LEVEL=warn", "ADMIN_PASSWORD=")
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{t: t, cmd: cmd, url: fmt.Sprintf("http://localhost:%d", port), done: make(chan error, 1)}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		in.done <- cmd.Wait()
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("instance exited before it was ready: %v", in.banner)
			}
			in.banner = append(in.banner, l)
			if strings.HasPrefix(l, "Press Ctrl-C") {
				go func() {
					for range lines {
					}
				}()
				t.Cleanup(func() { in.stop() })
				return in
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no banner after 30s: %v", in.banner)
		}
	}
}

// stop sends Ctrl-C (SIGINT) and waits for a clean exit.
func (in *instance) stop() {
	if in.cmd.ProcessState != nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-in.done:
		if err != nil {
			in.t.Errorf("instance exited uncleanly: %v", err)
		}
	case <-time.After(15 * time.Second):
		in.cmd.Process.Kill()
		in.t.Errorf("instance did not stop within 15s of SIGINT")
	}
}

func (in *instance) get(path, token string) (int, []byte) {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (in *instance) client() (string, string) {
	in.t.Helper()
	_, b := in.get("/api/v1/oauth-clients/local", "")
	var c struct{ ClientID, ClientSecret string }
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		in.t.Fatalf("oauth client: %s", b)
	}
	c.ClientID, c.ClientSecret = raw["client_id"], raw["client_secret"]
	return c.ClientID, c.ClientSecret
}

func (in *instance) login(user, pw string) string {
	in.t.Helper()
	id, secret := in.client()
	resp, err := http.PostForm(in.url+"/api/v1/users/token", url.Values{"client_id": {id}, "client_secret": {secret},
		"grant_type": {"password"}, "username": {user}, "password": {pw}})
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		in.t.Fatalf("login %s: %d %s", user, resp.StatusCode, b)
	}
	return tok.AccessToken
}

func (in *instance) post(path, token string, body any) (int, []byte) {
	in.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", in.url+path, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func firstChannelID(t *testing.T, me []byte) float64 {
	t.Helper()
	var m struct {
		VideoChannels []struct{ ID float64 }
	}
	if err := json.Unmarshal(me, &m); err != nil || len(m.VideoChannels) == 0 || m.VideoChannels[0].ID == 0 {
		t.Fatalf("users/me has no videoChannels[0].id: %s", me)
	}
	return m.VideoChannels[0].ID
}

var tokenRe = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestPeerTubeCLIRestartAndSideBySide(t *testing.T) {
	const pw = "admin-pass-1234"
	dirA, dirB := t.TempDir(), t.TempDir()
	portA, portB := freePort(t), freePort(t)
	a := start(t, portA, dirA, "ADMIN_PASSWORD="+pw)
	if !strings.Contains(strings.Join(a.banner, "\n"), a.url) || !strings.Contains(strings.Join(a.banner, "\n"), "root") {
		t.Fatalf("banner lacks URL or login: %v", a.banner)
	}

	var token string
	if cli := os.Getenv("PEERTUBE_CLI"); cli != "" {
		home := t.TempDir()
		run := func(args ...string) string {
			cmd := exec.Command(cli, args...)
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("peertube-cli %v: %v\n%s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		token = run("get-access-token", "-u", a.url, "-n", "root", "-p", pw)
		if !tokenRe.MatchString(token) {
			t.Fatalf("get-access-token printed %q, want a token", token)
		}
		run("auth", "add", "-u", a.url, "-U", "root", "-p", pw)
		netrc, err := os.ReadFile(filepath.Join(home, ".netrc"))
		if err != nil || !strings.Contains(string(netrc), "login root") {
			t.Fatalf("auth add wrote no netrc entry: %v %s", err, netrc)
		}
	} else {
		t.Log("PEERTUBE_CLI is not set (make test sets it): logging in over HTTP instead")
		token = a.login("root", pw)
	}
	status, me := a.get("/api/v1/users/me", token)
	if status != 200 {
		t.Fatalf("users/me: %d %s", status, me)
	}
	chanID := firstChannelID(t, me)
	if status, b := a.post("/api/v1/users", token, map[string]any{"username": "keeper", "password": "keeper-pw",
		"email": "keeper@example.com", "role": 2}); status != 200 {
		t.Fatalf("create user: %d %s", status, b)
	}
	if status, b := a.post("/api/v1/video-channels", token, map[string]any{"name": "kept_channel", "displayName": "Kept"}); status != 200 {
		t.Fatalf("create channel: %d %s", status, b)
	}

	// A second instance runs beside the first, with its own data.
	b := start(t, portB, dirB)
	bID, _ := b.client()
	aID, _ := a.client()
	if aID == bID {
		t.Fatal("two instances share an OAuth client")
	}
	var generated string
	for _, l := range b.banner {
		if m := regexp.MustCompile(`root / (\S+)`).FindStringSubmatch(l); m != nil {
			generated = m[1]
		}
	}
	if generated == "" {
		t.Fatalf("no generated password in %v", b.banner)
	}
	tokB := b.login("root", generated)
	if status, _ := a.get("/api/v1/users/me", tokB); status != 401 {
		t.Fatalf("B's token works on A: %d", status)
	}
	if status, _ := a.get("/api/v1/video-channels/kept_channel", ""); status != 200 {
		t.Fatal("A lost its channel while B started")
	}
	if status, _ := b.get("/api/v1/video-channels/kept_channel", ""); status != 404 {
		t.Fatal("B sees A's channel")
	}

	// Restart A without ADMIN_PASSWORD: users, channels and tokens stay.
	a.stop()
	a = start(t, portA, dirA)
	if status, me2 := a.get("/api/v1/users/me", token); status != 200 || firstChannelID(t, me2) != chanID {
		t.Fatalf("token or channel lost over a restart: %d %s", status, me2)
	}
	if status, _ := a.get("/api/v1/video-channels/kept_channel", ""); status != 200 {
		t.Fatal("channel lost over a restart")
	}
	a.login("keeper", "keeper-pw")
	a.login("root", pw)
	if strings.Contains(strings.Join(a.banner, "\n"), pw) {
		t.Fatal("the banner printed a configured password")
	}

	// Two instances cannot share one data directory.
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", freePort(t)), "DATA_DIR="+dirA)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), dirA) {
		t.Fatalf("a second instance on the same data dir started or gave no clear error: %v %s", err, out)
	}
}
