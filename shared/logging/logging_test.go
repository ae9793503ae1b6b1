package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestContextAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", "info")
	ctx := WithRequestID(context.Background(), "req-1")
	ctx, _ = WithActor(ctx)
	SetActor(ctx, "root")
	log.InfoContext(ctx, "hello", "k", "v")
	log.DebugContext(ctx, "hidden")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("one JSON record expected, got %q: %v", buf.String(), err)
	}
	if rec["requestId"] != "req-1" || rec["actor"] != "root" || rec["k"] != "v" || rec["msg"] != "hello" {
		t.Fatalf("record %v", rec)
	}
}
