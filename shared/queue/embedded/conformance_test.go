package embedded_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/queuetest"
)

func TestConformance(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) (queue.Sender, queuetest.Receiver) {
		b, err := embedded.Open(filepath.Join(t.TempDir(), "queues.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		q, err := b.Queue("conformance", embedded.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		return q, func(ctx context.Context, max int, wait time.Duration) ([]queuetest.Received, error) {
			ds, err := q.Receive(ctx, max, wait)
			if err != nil {
				return nil, err
			}
			out := make([]queuetest.Received, len(ds))
			for i, d := range ds {
				if err := q.Delete(ctx, d.ReceiptHandle); err != nil {
					return nil, err
				}
				out[i] = queuetest.Received{ID: d.MessageID, Body: d.Body, Attributes: d.Attributes}
			}
			return out, nil
		}
	})
}
