package apvocab

import (
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

func BenchmarkEncodeActor(b *testing.B) {
	o, err := Decode(reftest.Read(b, "peertube-6.1/instance1-activitypub/ap-channel-root_channel.json"))
	if err != nil {
		b.Fatal(err)
	}
	a := o.(*Actor)
	*a.source() = nil
	for b.Loop() {
		if _, err := Encode(a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCreateVideo(b *testing.B) {
	raw := reftest.Read(b, "peertube-6.1/instance1-activitypub/ap-video-activity.json")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
