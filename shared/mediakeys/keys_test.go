package mediakeys

import (
	"regexp"
	"testing"

	"github.com/vidiverse/vidiverse/shared/blob"
)

func TestKeysAreValidBlobKeysAndPublicOnlyWhereServed(t *testing.T) {
	uuid := NewName()
	for key, public := range map[string]bool{
		WebVideo(uuid + "-720.mp4"):          true,
		HLSFile(uuid, uuid+"-master.m3u8"):   true,
		Thumbnail(uuid + ".jpg"):             true,
		Preview(uuid + ".jpg"):               true,
		Torrent(uuid + "-720.torrent"):       true,
		FileMetadata(uuid, 7):                false,
		WorkFile(uuid, "720-chunk-0003.mp4"): false,
		Originals + uuid:                     false,
		Uploads + uuid + "/0001":             false,
	} {
		if err := blob.CheckKey(key); err != nil {
			t.Errorf("%s is not a valid blob key: %v", key, err)
		}
		if IsPublic(key) != public {
			t.Errorf("IsPublic(%s) = %v", key, !public)
		}
	}
	if got := URL("https://video.example/", WebVideo("a.mp4")); got != "https://video.example/static/web-videos/a.mp4" {
		t.Fatalf("URL = %s", got)
	}
}

func TestNewNameIsARandomUUIDv4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		n := NewName()
		if !re.MatchString(n) || seen[n] {
			t.Fatalf("NewName() = %q (seen before: %v)", n, seen[n])
		}
		seen[n] = true
	}
}
