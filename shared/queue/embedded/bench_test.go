package embedded_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// BenchmarkSendReceiveDelete measures one message's round trip: a Send, a
// Receive and a Delete, each its own durable transaction.
func BenchmarkSendReceiveDelete(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	m := queue.Message{Body: `{"kind":"deliver","activity":"https://example.com/a/1"}`, Attributes: map[string]string{"kind": "deliver"}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := q.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
		ds, err := q.Receive(ctx, 1, 0)
		if err != nil || len(ds) != 1 {
			b.Fatalf("receive: %v, %d", err, len(ds))
		}
		if err := q.Delete(ctx, ds[0].ReceiptHandle); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatched10 measures ten messages through SendBatch, one
// Receive of ten and DeleteBatch: the event source driver's pattern.
func BenchmarkBatched10(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	ms := make([]queue.Message, 10)
	for i := range ms {
		ms[i] = queue.Message{Body: `{"kind":"inbox","id":"x"}`}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := q.SendBatch(ctx, ms); err != nil {
			b.Fatal(err)
		}
		ds, err := q.Receive(ctx, 10, 0)
		if err != nil || len(ds) != 10 {
			b.Fatalf("receive: %v, %d", err, len(ds))
		}
		hs := make([]string, len(ds))
		for i, d := range ds {
			hs[i] = d.ReceiptHandle
		}
		if _, err := q.DeleteBatch(ctx, hs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func benchQueue(b *testing.B) *embedded.Queue {
	b.Helper()
	br, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = br.Close() })
	q, err := br.Queue("bench", embedded.Policy{})
	if err != nil {
		b.Fatal(err)
	}
	return q
}
