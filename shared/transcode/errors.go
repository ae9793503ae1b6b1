package transcode

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// ErrInvalidInput is matched (errors.Is) by every *InputError: the file an
// uploader gave is not something we can turn into a video. Retrying does not
// help; the video's state becomes "transcoding failed" with the Reason.
var ErrInvalidInput = errors.New("invalid media input")

// ErrNoAudio is returned by EncodeAudio when the input has no audio stream;
// the pipeline then joins the video chunks without an audio track.
var ErrNoAudio = errors.New("input has no audio stream")

// ErrNoVideo is returned by the video encoders when the input has no video
// stream (audio-only inputs get an audio-only rendition instead).
var ErrNoVideo = errors.New("input has no video stream")

// InputError says why an input was rejected, in a sentence fit for the
// uploader. Err, when set, is the underlying tool error for the logs.
type InputError struct {
	Reason string
	Err    error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return "invalid media input: " + e.Reason + " (" + e.Err.Error() + ")"
	}
	return "invalid media input: " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the underlying tool error, if any.
func (e *InputError) Unwrap() error { return e.Err }

// Reasons given to uploaders.
const (
	reasonUnreadable   = "The file is not a video or audio file ffmpeg can read"
	reasonFormat       = "The file is not in a video or audio format we accept"
	reasonIncomplete   = "The file is incomplete or damaged"
	reasonNoDuration   = "The video has no duration"
	reasonNoStream     = "The file has no video or audio stream"
	reasonEmpty        = "The file is empty"
	reasonUndecodable  = "The file's video or audio cannot be decoded"
	reasonBadDimension = "The video has no usable picture size"
)

// ExecError is a failed ffmpeg or ffprobe run that is not the input's fault
// (or not recognisably so): a missing file, a network failure, a bug in an
// argument list. Stderr holds the tail of the tool's error output, with the
// query string of any URL removed.
type ExecError struct {
	Op       string // what was being done, e.g. "encode video chunk 2"
	Tool     string // "ffmpeg" or "ffprobe"
	ExitCode int    // -1 when the process did not exit normally
	Stderr   string
	Err      error // a classified cause (fs.ErrNotExist, …) or the exec error
}

func (e *ExecError) Error() string {
	msg := fmt.Sprintf("%s: %s failed (exit %d)", e.Op, e.Tool, e.ExitCode)
	if line := lastLine(e.Stderr); line != "" {
		msg += ": " + line
	}
	return msg
}

// Unwrap returns the classified cause.
func (e *ExecError) Unwrap() error { return e.Err }

// stderrRule maps a line ffmpeg or ffprobe prints at error level to an error.
type stderrRule struct {
	contains string
	input    string // an InputError reason, or
	cause    error  // a cause for ExecError
}

// stderrRules are checked in order; the first match wins. The texts are
// those of FFmpeg 5.x/6.x (libavformat, libavcodec, fftools).
var stderrRules = []stderrRule{
	{contains: "moov atom not found", input: reasonUnreadable}, // refined by Probe: see incompleteMP4
	{contains: "partial file", input: reasonIncomplete},
	{contains: "not on whitelist", input: reasonFormat},
	{contains: "Invalid data found when processing input", input: reasonUnreadable},
	{contains: "could not find codec parameters", input: reasonUnreadable},
	{contains: "Decoder (codec", input: reasonUndecodable},
	{contains: "No such file or directory", cause: fs.ErrNotExist},
	{contains: "Server returned 404", cause: fs.ErrNotExist},
	{contains: "Server returned 403", cause: fs.ErrPermission},
	{contains: "Permission denied", cause: fs.ErrPermission},
}

// classify turns a failed run into a typed error. noStream is the error to
// use when a required -map matched nothing (ErrNoAudio, ErrNoVideo or an
// InputError), nil when the operation maps nothing that can be missing.
func classify(op, tool string, exitCode int, stderr string, runErr error, noStream error) error {
	if noStream != nil && (strings.Contains(stderr, "matches no streams") ||
		strings.Contains(stderr, "does not contain any stream")) {
		return fmt.Errorf("%s: %w", op, noStream)
	}
	for _, r := range stderrRules {
		if !strings.Contains(stderr, r.contains) {
			continue
		}
		if r.input != "" {
			return &InputError{Reason: r.input, Err: &ExecError{Op: op, Tool: tool, ExitCode: exitCode, Stderr: stderr, Err: runErr}}
		}
		return &ExecError{Op: op, Tool: tool, ExitCode: exitCode, Stderr: stderr, Err: r.cause}
	}
	return &ExecError{Op: op, Tool: tool, ExitCode: exitCode, Stderr: stderr, Err: runErr}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[i+1:])
	}
	return s
}

var urlPattern = regexp.MustCompile(`https?://[^\s'"]+`)

// redact removes query strings and fragments from the URLs in s, so that
// presigned URLs (whose query is a credential) never reach logs or errors.
func redact(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(u string) string {
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			return u[:i]
		}
		return u
	})
}
