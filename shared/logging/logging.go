package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"
)

// New returns a logger writing format ("json" or "text") at level
// ("debug", "info", "warn", "error") to w.
func New(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	actorKey
)

// WithRequestID returns a context carrying a request id for log records.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the context's request id, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithActor returns a context carrying the acting user's name. The value
// is shared and can be set after the context is made (authentication
// happens inside handlers that the request logger wraps).
func WithActor(ctx context.Context) (context.Context, *string) {
	p := new(string)
	return context.WithValue(ctx, actorKey, p), p
}

// SetActor records the acting user in a context made by WithActor.
func SetActor(ctx context.Context, name string) {
	if p, ok := ctx.Value(actorKey).(*string); ok {
		*p = name
	}
}

func actor(ctx context.Context) string {
	if p, ok := ctx.Value(actorKey).(*string); ok {
		return *p
	}
	return ""
}

// contextHandler adds requestId and actor from the record's context.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String("requestId", id))
		}
		if a := actor(ctx); a != "" {
			r.AddAttrs(slog.String("actor", a))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
