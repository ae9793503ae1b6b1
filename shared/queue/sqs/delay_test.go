package sqs

import (
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
)

func TestDelaySeconds(t *testing.T) {
	for d, want := range map[time.Duration]int32{0: 0, time.Nanosecond: 1, time.Second: 1, 1500 * time.Millisecond: 2, queue.MaxDelay: 900} {
		if got := delaySeconds(d); got != want {
			t.Errorf("delaySeconds(%s) = %d, want %d", d, got, want)
		}
	}
}
