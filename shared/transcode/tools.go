package transcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Tools runs ffmpeg and ffprobe. The zero value runs "ffmpeg" and "ffprobe"
// from PATH with PeerTube's encoder preset; DefaultTools also honours
// FFMPEG_PATH / FFPROBE_PATH and a Lambda layer's /opt/bin.
type Tools struct {
	FFmpeg  string // path of the ffmpeg binary
	FFprobe string // path of the ffprobe binary
	Log     *slog.Logger

	// Preset is the libx264 preset; empty means "veryfast", PeerTube's.
	Preset string
}

// DefaultTools finds ffmpeg and ffprobe: FFMPEG_PATH and FFPROBE_PATH when
// set, else PATH, else /opt/bin (where a Lambda layer puts them). A binary
// found nowhere keeps its bare name, so the first run reports it missing;
// call Check at start-up to fail early.
func DefaultTools() Tools {
	return Tools{
		FFmpeg:  findTool("FFMPEG_PATH", "ffmpeg"),
		FFprobe: findTool("FFPROBE_PATH", "ffprobe"),
		Log:     slog.Default(),
	}
}

func findTool(env, name string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/opt/bin/" + name; isExecutable(p) {
		return p
	}
	return name
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Check runs both tools with -version and verifies that ffmpeg has the
// encoders this package uses.
func (t Tools) Check(ctx context.Context) error {
	if _, err := t.run(ctx, "check ffprobe", t.ffprobe(), []string{"-hide_banner", "-loglevel", "error", "-version"}, nil); err != nil {
		return err
	}
	out, err := t.run(ctx, "check ffmpeg", t.ffmpeg(), []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-encoders"}, nil)
	if err != nil {
		return err
	}
	for _, enc := range []string{"libx264", " aac ", "mjpeg"} {
		if !bytes.Contains(out, []byte(enc)) {
			return fmt.Errorf("check ffmpeg: encoder %q is missing", strings.TrimSpace(enc))
		}
	}
	return nil
}

func (t Tools) ffmpeg() string {
	if t.FFmpeg == "" {
		return "ffmpeg"
	}
	return t.FFmpeg
}

func (t Tools) ffprobe() string {
	if t.FFprobe == "" {
		return "ffprobe"
	}
	return t.FFprobe
}

func (t Tools) log() *slog.Logger {
	if t.Log == nil {
		return slog.Default()
	}
	return t.Log
}

func (t Tools) preset() string {
	if t.Preset == "" {
		return "veryfast"
	}
	return t.Preset
}

// Time bounds for network inputs and for probing.
const (
	// ioTimeout bounds each read or connect on an http(s) input
	// (ffmpeg's -rw_timeout, in microseconds on the command line).
	ioTimeout = 30 * time.Second
	// probeTimeout bounds a whole ffprobe run when the context has a later
	// deadline or none.
	probeTimeout = 2 * time.Minute
	// waitDelay bounds how long a killed tool may hold its pipes open.
	waitDelay = 5 * time.Second
	// stderrLimit is how much of a tool's error output is kept.
	stderrLimit = 16 << 10
	// stdoutLimit bounds what a probe may print.
	stdoutLimit = 32 << 20
)

// commonArgs start every ffmpeg command line.
func commonArgs() []string {
	return []string{
		"-nostdin",           // never read the terminal, even when one is attached
		"-hide_banner",       // no build banner on stderr
		"-loglevel", "error", // stderr carries errors only, which classify maps
		"-y", // the caller owns the output path: overwrite it
	}
}

// probeArgs start every ffprobe command line (ffprobe has no -nostdin; its
// standard input is /dev/null when run by this package).
func probeArgs() []string {
	return []string{
		"-hide_banner",       // no build banner on stderr
		"-loglevel", "error", // stderr carries errors only
	}
}

// isURL reports whether input is read over HTTP(S).
func isURL(input string) bool {
	l := strings.ToLower(input)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// inputFormats are the demuxers an uploaded file may use: PeerTube's list
// (packages/ffmpeg/src/ffmpeg-utils.ts). None of them opens URLs that a file
// names, unlike hls, dash or concat, so a crafted upload cannot make ffmpeg
// read other files or hosts.
const inputFormats = "mov,matroska,ogg,asf,avi,flv,nut,mxf,mpegts,mpeg,mpegvideo,m4v,h264,hevc,mp3,wav,flac,aac,ac3,eac3"

// untrustedInput returns the input options and the -i operand for a file
// an uploader supplied: a local path or an http(s) URL.
func untrustedInput(input string) []string {
	if isURL(input) {
		return []string{
			"-protocol_whitelist", "http,https,tcp,tls", // only what an HTTP(S) read needs
			"-format_whitelist", inputFormats, // media demuxers only (no playlists)
			"-rw_timeout", strconv.FormatInt(ioTimeout.Microseconds(), 10), // fail a stalled read or connect
			"-i", input,
		}
	}
	return []string{
		"-protocol_whitelist", "file", // a local file and nothing it may reference
		"-format_whitelist", inputFormats, // media demuxers only (no playlists)
		"-i", fileURL(input),
	}
}

// ownInput returns the -i operand for a file this package wrote.
func ownInput(path string) []string {
	return []string{
		"-protocol_whitelist", "file", // local files only
		"-i", fileURL(path),
	}
}

// fileURL prefixes a local path with "file:" so that a path that starts with
// "-" or looks like a protocol ("concat:", "http:") is read as a plain file.
func fileURL(path string) string { return "file:" + path }

// run executes bin with args, bounded by ctx, and returns its standard
// output. noStream classifies "matches no streams" failures (see classify).
func (t Tools) run(ctx context.Context, op, bin string, args []string, noStream error) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = waitDelay
	stdout := &capBuffer{limit: stdoutLimit}
	stderr := &headTail{size: stderrLimit / 2}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	log := t.log()
	if err == nil && stdout.truncated {
		return nil, fmt.Errorf("%s: %s printed more than %d bytes", op, toolName(bin), stdoutLimit)
	}
	if err == nil {
		log.DebugContext(ctx, "media tool done", "op", op, "tool", toolName(bin),
			"args", redact(strings.Join(args, " ")), "elapsed", time.Since(start))
		return stdout.Bytes(), nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("%s: %s stopped: %w", op, toolName(bin), ctxErr)
	}
	exitCode := -1
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		exitCode = exitErr.ExitCode()
	}
	msg := redact(stderr.String())
	classified := classify(op, toolName(bin), exitCode, msg, err, noStream)
	level := slog.LevelWarn
	if errors.Is(classified, ErrInvalidInput) {
		level = slog.LevelInfo // the upload's fault, not ours
	}
	log.Log(ctx, level, "media tool failed", "op", op, "tool", toolName(bin), "exit", exitCode,
		"args", redact(strings.Join(args, " ")), "stderr", msg, "elapsed", time.Since(start))
	return nil, classified
}

func toolName(bin string) string {
	if i := strings.LastIndexByte(bin, '/'); i >= 0 {
		return bin[i+1:]
	}
	return bin
}

// capBuffer keeps the first limit bytes written and notes whether more
// came; it never fails a write, so the tool is not killed by a full pipe.
type capBuffer struct {
	bytes.Buffer
	limit     int
	truncated bool
}

func (b *capBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.limit - b.Len(); room < len(p) {
		b.truncated = true
		p = p[:max(room, 0)]
	}
	b.Buffer.Write(p)
	return n, nil
}

// headTail keeps the first and the last bytes of a tool's error output:
// the first error usually names the cause, the last one the fatal step.
type headTail struct {
	head, tail []byte
	size       int // of head and of tail, each
	dropped    bool
}

func (b *headTail) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.size - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	b.tail = append(b.tail, p...)
	if over := len(b.tail) - b.size; over > 0 {
		b.tail = append(b.tail[:0], b.tail[over:]...)
		b.dropped = true
	}
	return n, nil
}

func (b *headTail) String() string {
	if b.dropped {
		return string(b.head) + "\n[…]\n" + string(b.tail)
	}
	return string(b.head) + string(b.tail)
}
