package transcode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestHLSFromJoinedFile(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	dir := t.TempDir()
	p, err := tools.Probe(ctx, f.clip720)
	if err != nil {
		t.Fatal(err)
	}
	var variants []Variant
	files := map[string]map[string]string{}
	for _, res := range []int{240, 144} {
		r := renditionFor(t, p, res)
		work := filepath.Join(dir, "work-"+strconv.Itoa(res))
		if err := os.Mkdir(work, 0o755); err != nil {
			t.Fatal(err)
		}
		mp4, err := encodeChunked(ctx, tools, p, f.clip720, work, r, 4)
		if err != nil {
			t.Fatal(err)
		}
		name := "uuid-" + strconv.Itoa(res)
		v, err := tools.HLS(ctx, mp4, dir, name+".m3u8", name+"-fragmented.mp4")
		if err != nil {
			t.Fatalf("HLS: %v", err)
		}
		st, err := os.Stat(filepath.Join(dir, v.FragmentedName))
		if err != nil {
			t.Fatal(err)
		}
		wantBandwidth := int(math.Ceil(float64(st.Size()) * 8 / 10))
		if v.Width != r.Width || v.Height != r.Height || v.FPS != 25 || v.Bandwidth != wantBandwidth || v.Size != st.Size() {
			t.Errorf("variant %+v, want %dx%d@25, bandwidth %d", v, r.Width, r.Height, wantBandwidth)
		}
		if !regexp.MustCompile(`^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$`).MatchString(v.Codecs) {
			t.Errorf("CODECS = %q, want avc1.6400xx,mp4a.40.2", v.Codecs)
		}

		playlist, err := os.ReadFile(filepath.Join(dir, v.PlaylistName))
		if err != nil {
			t.Fatal(err)
		}
		text := string(playlist)
		for _, want := range []string{"#EXT-X-PLAYLIST-TYPE:VOD", `#EXT-X-MAP:URI="` + v.FragmentedName + `"`, "#EXT-X-ENDLIST"} {
			if !strings.Contains(text, want) {
				t.Errorf("playlist lacks %q:\n%s", want, text)
			}
		}
		// Segments of exactly SegmentSeconds: keyframes sit on the grid.
		extinf := regexp.MustCompile(`#EXTINF:([0-9.]+),`).FindAllStringSubmatch(text, -1)
		var got []string
		for _, m := range extinf {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != "4.000000 4.000000 2.000000" {
			t.Errorf("segment durations %v, want 4 4 2", got)
		}
		for _, line := range strings.Split(text, "\n") {
			if line != "" && !strings.HasPrefix(line, "#") && line != v.FragmentedName {
				t.Errorf("playlist names %q, want only %q", line, v.FragmentedName)
			}
		}

		frag, err := os.Open(filepath.Join(dir, v.FragmentedName))
		if err != nil {
			t.Fatal(err)
		}
		hashes, err := SegmentsSHA256(playlist, frag)
		frag.Close()
		if err != nil {
			t.Fatalf("SegmentsSHA256: %v", err)
		}
		if want := independentHashes(t, text, filepath.Join(dir, v.FragmentedName)); !reflect.DeepEqual(hashes, want) {
			t.Errorf("hashes %v, want %v", hashes, want)
		}
		files[v.FragmentedName] = hashes
		variants = append(variants, v)
	}

	master := MasterPlaylist(variants)
	if err := os.WriteFile(filepath.Join(dir, "uuid-master.m3u8"), master, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(master), "\n"), "\n")
	if len(lines) != 6 || lines[0] != "#EXTM3U" || lines[1] != "#EXT-X-VERSION:3" || lines[3] != "uuid-144.m3u8" || lines[5] != "uuid-240.m3u8" {
		t.Errorf("master playlist:\n%s", master)
	}
	// ffprobe reads the master, its variants and their byte ranges.
	for _, pl := range []string{"uuid-master.m3u8", "uuid-240.m3u8"} {
		out := ffprobeValue(t, filepath.Join(dir, pl), "-show_entries", "stream=codec_name,width,height", "-of", "compact")
		if !strings.Contains(out, "codec_name=h264") || !strings.Contains(out, "codec_name=aac") {
			t.Errorf("ffprobe %s: %s", pl, out)
		}
	}
	if n := frameCount(t, filepath.Join(dir, "uuid-240.m3u8")); n != 250 {
		t.Errorf("the 240p HLS stream decodes to %d frames, want 250", n)
	}

	js := SegmentsSHA256JSON(files)
	var back map[string]map[string]string
	if err := json.Unmarshal(js, &back); err != nil || !reflect.DeepEqual(back, files) {
		t.Errorf("segments JSON does not round-trip (%v): %s", err, js)
	}
}

// independentHashes reads the playlist's byte ranges with a regular
// expression and hashes them from the whole file read into memory.
func independentHashes(t *testing.T, playlist, fragmented string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(fragmented)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^#EXT-X-BYTERANGE:(\d+)@(\d+)$`).FindAllStringSubmatch(playlist, -1) {
		n, _ := strconv.Atoi(m[1])
		off, _ := strconv.Atoi(m[2])
		sum := sha256.Sum256(data[off : off+n])
		out[strconv.Itoa(off)+"-"+strconv.Itoa(off+n-1)] = hex.EncodeToString(sum[:])
	}
	if len(out) == 0 {
		t.Fatal("no byte ranges in the playlist")
	}
	// The init section (EXT-X-MAP) is not hashed, as in PeerTube.
	if init := regexp.MustCompile(`BYTERANGE="(\d+)@0"`).FindStringSubmatch(playlist); init != nil {
		n, _ := strconv.Atoi(init[1])
		delete(out, "0-"+strconv.Itoa(n-1))
	}
	return out
}

func TestMasterPlaylist(t *testing.T) {
	v720 := Variant{PlaylistName: "u-720.m3u8", Bandwidth: 1500000, Width: 1280, Height: 720, FPS: 30, Codecs: "avc1.64001f,mp4a.40.2"}
	v240 := Variant{PlaylistName: "u-240.m3u8", Bandwidth: 300000, Width: 426, Height: 240, FPS: 30, Codecs: "avc1.640015,mp4a.40.2"}
	portrait := Variant{PlaylistName: "u-480.m3u8", Bandwidth: 800000, Width: 480, Height: 854, FPS: 25, Codecs: "avc1.64001e"}
	audio := Variant{PlaylistName: "u-0.m3u8", Bandwidth: 130000, Codecs: "mp4a.40.2"}
	tests := []struct {
		name     string
		variants []Variant
		want     string
	}{
		{"ascending resolution, audio only left out", []Variant{v720, audio, v240},
			"#EXTM3U\n#EXT-X-VERSION:3\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=426x240,FRAME-RATE=30,CODECS=\"avc1.640015,mp4a.40.2\"\nu-240.m3u8\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=1280x720,FRAME-RATE=30,CODECS=\"avc1.64001f,mp4a.40.2\"\nu-720.m3u8\n"},
		{"portrait sorts by its smaller side", []Variant{v720, portrait},
			"#EXTM3U\n#EXT-X-VERSION:3\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=480x854,FRAME-RATE=25,CODECS=\"avc1.64001e\"\nu-480.m3u8\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=1280x720,FRAME-RATE=30,CODECS=\"avc1.64001f,mp4a.40.2\"\nu-720.m3u8\n"},
		{"audio only alone", []Variant{audio},
			"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=130000,CODECS=\"mp4a.40.2\"\nu-0.m3u8\n"},
	}
	for _, tt := range tests {
		if got := string(MasterPlaylist(tt.variants)); got != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestSegmentsSHA256JSONFormat(t *testing.T) {
	got := string(SegmentsSHA256JSON(map[string]map[string]string{
		"u-720-fragmented.mp4": {"1000-1999": "bb", "10-999": "aa", "2000-2999": "cc"},
		"u-240-fragmented.mp4": {"5-9": "dd"},
	}))
	want := `{"u-240-fragmented.mp4":{"5-9":"dd"},"u-720-fragmented.mp4":{"10-999":"aa","1000-1999":"bb","2000-2999":"cc"}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSegmentsSHA256Ranges(t *testing.T) {
	data := []byte("0123456789abcdefghij")
	playlist := []byte("#EXTM3U\n#EXT-X-MAP:URI=\"f.mp4\",BYTERANGE=\"4@0\"\n#EXTINF:4,\n#EXT-X-BYTERANGE:6@4\nf.mp4\n#EXTINF:4,\n#EXT-X-BYTERANGE:5\nf.mp4\n#EXT-X-ENDLIST\n")
	got, err := SegmentsSHA256(playlist, strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	h := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	want := map[string]string{"4-9": h(data[4:10]), "10-14": h(data[10:15])}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := SegmentsSHA256([]byte("#EXT-X-BYTERANGE:50@0\n"), strings.NewReader(string(data))); err == nil {
		t.Error("a range past the end of the file was hashed")
	}
	if _, err := SegmentsSHA256([]byte("#EXTM3U\n"), strings.NewReader("")); err == nil {
		t.Error("a playlist without ranges was accepted")
	}
}

func TestFixPlaylistURIs(t *testing.T) {
	dir := t.TempDir()
	pl := filepath.Join(dir, "u-240.m3u8")
	in := "#EXTM3U\n#EXT-X-MAP:URI=\"/tmp/x/u-240-fragmented.mp4\",BYTERANGE=\"100@0\"\n#EXTINF:4.000000,\n#EXT-X-BYTERANGE:10@100\nfile:/tmp/x/u-240-fragmented.mp4\n#EXT-X-ENDLIST\n"
	if err := os.WriteFile(pl, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fixPlaylistURIs(pl, "u-240-fragmented.mp4"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(pl)
	want := "#EXTM3U\n#EXT-X-MAP:URI=\"u-240-fragmented.mp4\",BYTERANGE=\"100@0\"\n#EXTINF:4.000000,\n#EXT-X-BYTERANGE:10@100\nu-240-fragmented.mp4\n#EXT-X-ENDLIST\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHLSRejectsPathNames(t *testing.T) {
	for _, name := range []string{"../x.m3u8", "a/b.m3u8", "seg-%03d.mp4", "", ".hidden"} {
		if _, err := testTools().HLS(context.Background(), "in.mp4", t.TempDir(), name, "f.mp4"); err == nil {
			t.Errorf("playlist name %q was accepted", name)
		}
	}
}

func TestCodecStrings(t *testing.T) {
	tests := []struct {
		s    ffStream
		want string
	}{
		{ffStream{CodecTag: "avc1", Profile: "High", Level: 31}, "avc1.64001f"},
		{ffStream{CodecTag: "avc1", Profile: "Main", Level: 30}, "avc1.4D401e"},
		{ffStream{CodecTag: "avc1", Profile: "Constrained Baseline", Level: 13}, "avc1.42E00d"},
		{ffStream{CodecTag: "avc1", Profile: "High 10", Level: 40}, "avc1.640028"},
		{ffStream{CodecTag: "hev1"}, "hev1.1.6.L93.B0"},
		{ffStream{CodecTag: "vp09"}, "vp09.00.50.08"},
		{ffStream{CodecTag: "av01", Profile: "Main", Level: 8}, "av01.0.08M.08"},
	}
	for _, tt := range tests {
		if got := videoCodecString(&tt.s); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.s, got, tt.want)
		}
	}
	for codec, want := range map[string]string{"aac": "mp4a.40.2", "mp3": "mp4a.40.34", "opus": "opus", "vorbis": "vorbis", "flac": "mp4a.40.2"} {
		if got := audioCodecString(codec); got != want {
			t.Errorf("audio %s: %q, want %q", codec, got, want)
		}
	}
}

func TestHLSAudioOnly(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	dir := t.TempDir()
	p, err := tools.Probe(ctx, f.audio)
	if err != nil {
		t.Fatal(err)
	}
	mp4 := filepath.Join(dir, "audio.mp4")
	if err := tools.EncodeWhole(ctx, f.audio, mp4, Ladder(p, Resolutions)[0]); err != nil {
		t.Fatal(err)
	}
	v, err := tools.HLS(ctx, mp4, dir, "u-0.m3u8", "u-0-fragmented.mp4")
	if err != nil {
		t.Fatalf("HLS: %v", err)
	}
	if v.Width != 0 || v.Height != 0 || v.FPS != 0 || v.Codecs != "mp4a.40.2" || v.Bandwidth <= 0 {
		t.Errorf("audio variant %+v", v)
	}
	want := fmt.Sprintf("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=%d,CODECS=\"mp4a.40.2\"\nu-0.m3u8\n", v.Bandwidth)
	if got := string(MasterPlaylist([]Variant{v})); got != want {
		t.Errorf("master:\n%s\nwant\n%s", got, want)
	}
}
