package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/httpsig"
)

// sinkEnv, set in the environment, makes this program the sink process of
// a delivery run: it names a JSON file with the signer's public key and the
// activity the POSTs must carry.
const sinkEnv = "VIDIVERSE_BENCH_SINK"

type sinkSpec struct {
	PublicKeyPEM string `json:"publicKeyPem"`
	Activity     []byte `json:"activity"`
}

type sinkStats struct {
	Count, Verified, Bad int64
	Err                  string
}

// sinkProcess is a running sink process.
type sinkProcess struct {
	cmd   *exec.Cmd
	stdin io.Closer
	port  string
	url   string
}

// startSinkProcess starts this program again as a sink and waits for the
// port it listens on.
func startSinkProcess(ctx context.Context, rig *deliveryRig) (*sinkProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	pemKey, err := httpsig.EncodePublicKeyPEM(rig.pub)
	if err != nil {
		return nil, err
	}
	spec, _ := json.Marshal(sinkSpec{PublicKeyPEM: pemKey, Activity: rig.activity})
	specPath := filepath.Join(rig.dir, "sink.json")
	if err := os.WriteFile(specPath, spec, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), sinkEnv+"="+specPath)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("sink: no port: %w", err)
	}
	port := strings.TrimSpace(line)
	return &sinkProcess{cmd: cmd, stdin: stdin, port: port, url: "http://127.0.0.1:" + port + "/_stats"}, nil
}

func (p *sinkProcess) stats() (sinkStats, error) {
	var st sinkStats
	resp, err := http.Get(p.url)
	if err != nil {
		return st, fmt.Errorf("sink stats: %w", err)
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// stop ends the sink (it exits when its stdin closes).
func (p *sinkProcess) stop() {
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// maybeRunSink runs the sink when this program was started as one and
// reports whether it was.
func maybeRunSink() bool {
	path := os.Getenv(sinkEnv)
	if path == "" {
		return false
	}
	if err := runSink(path); err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
	return true
}

func runSink(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec sinkSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return err
	}
	pub, err := httpsig.ParsePublicKeyPEM(spec.PublicKeyPEM)
	if err != nil {
		return err
	}
	s := &sink{target: -1, done: make(chan struct{}), pub: pub, activity: spec.Activity}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_stats", func(w http.ResponseWriter, _ *http.Request) {
		st := sinkStats{Count: s.count.Load(), Verified: s.verified.Load(), Bad: s.bad.Load()}
		if err := s.firstErr(); err != nil {
			st.Err = err.Error()
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.Handle("/", s)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	fmt.Println(port)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	return srv.Close()
}
