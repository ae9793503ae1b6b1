package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
)

// cliFields are the fields peertube-cli 1.0.3 sends for
// `peertube upload -f clip.mp4 -n "Test pattern clip" -c 15 -l 1 -L en
// -t testpattern,sample -d "…" -s "…"`, in its order, every value a string.
var cliFields = [][2]string{
	{"name", "Test pattern clip"}, {"privacy", "1"}, {"nsfw", "false"}, {"downloadEnabled", "true"},
	{"waitTranscoding", "true"}, {"channelId", "1"}, {"category", "15"}, {"licence", "1"}, {"language", "en"},
	{"support", "Support the channel"}, {"description", "A **test** pattern"},
	{"tags[0]", "testpattern"}, {"tags[1]", "sample"},
}

// filePart is a file field of a multipart body.
type filePart struct {
	field, filename, contentType string
	data                         io.Reader
}

// writeForm writes a multipart body as form-data (the library behind
// peertube-cli's requests) lays it out: fields, then files, each file with
// its filename and type. With filesFirst, the files come first.
func writeForm(w io.Writer, mw *multipart.Writer, fields [][2]string, files []filePart, filesFirst bool) error {
	writeFields := func() error {
		for _, f := range fields {
			if err := mw.WriteField(f[0], f[1]); err != nil {
				return err
			}
		}
		return nil
	}
	writeFiles := func() error {
		for _, f := range files {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, f.field, f.filename))
			h.Set("Content-Type", f.contentType)
			pw, err := mw.CreatePart(h)
			if err != nil {
				return err
			}
			if _, err := io.Copy(pw, f.data); err != nil {
				return err
			}
		}
		return nil
	}
	first, second := writeFields, writeFiles
	if filesFirst {
		first, second = writeFiles, writeFields
	}
	if err := first(); err != nil {
		return err
	}
	if err := second(); err != nil {
		return err
	}
	return mw.Close()
}

// legacyBody builds a whole legacy upload body in memory.
func legacyBody(t *testing.T, fields [][2]string, files ...filePart) (*bytes.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := writeForm(&buf, mw, fields, files, false); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes()), mw.FormDataContentType()
}

func TestLegacyUploadAsPeerTubeCLISendsIt(t *testing.T) {
	hs := newHarness(t)
	video := randomBytes(300 << 10)
	thumb := append([]byte{0xff, 0xd8, 0xff}, randomBytes(2000)...)
	body, ct := legacyBody(t, cliFields,
		filePart{"videofile", "clip.mp4", "video/mp4", bytes.NewReader(video)},
		filePart{"thumbnailfile", "thumb.jpg", "image/jpeg", bytes.NewReader(thumb)})
	resp := hs.do("POST", "/api/v1/videos/upload", "alice-token", body, map[string]string{"Content-Type": ct})
	got := videoOf(t, resp)
	if got.ShortUUID != shortuuid.FromUUID(got.UUID) {
		t.Fatalf("shortUUID %s of %s", got.ShortUUID, got.UUID)
	}
	calls := hs.createCalls()
	if len(calls) != 1 {
		t.Fatalf("%d creations", len(calls))
	}
	c := calls[0]
	cat, lic := 15, 1
	want := model.VideoMeta{Name: "Test pattern clip", ChannelID: 1, Privacy: 1, Category: &cat, Licence: &lic, Language: "en",
		Description: "A **test** pattern", Support: "Support the channel", Tags: []string{"testpattern", "sample"},
		CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true, WaitTranscoding: true}
	if !reflect.DeepEqual(c.meta, want) || c.user != alice.ID {
		t.Fatalf("meta %+v", c.meta)
	}
	if !strings.HasPrefix(c.src.Key, "originals/") || c.src.Filename != "clip.mp4" || c.src.Size != int64(len(video)) || c.src.ChunkPrefix != "" {
		t.Fatalf("source %+v", c.src)
	}
	if !bytes.Equal(hs.readObject(c.src.Key), video) {
		t.Fatal("stored original differs from the upload")
	}
	if !bytes.Equal(c.images.Thumbnail, thumb) || c.images.Preview != nil {
		t.Fatal("images not passed on")
	}
	if objs := hs.objects(); len(objs) != 1 || hs.multipartUploads() != 0 {
		t.Fatalf("objects %+v, %d multipart uploads", objs, hs.multipartUploads())
	}
}

// A 12 MiB file streams through the handler into blob multipart parts;
// here the fields come after the file, which the handler also takes.
func TestLegacyUploadStreamsIntoParts(t *testing.T) {
	hs := newHarness(t)
	video := randomBytes(12 << 20)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := writeForm(pw, mw, cliFields, []filePart{{"videofile", "big.mkv", "video/x-matroska", bytes.NewReader(video)}}, true)
		pw.CloseWithError(err)
	}()
	resp := hs.do("POST", "/api/v1/videos/upload", "alice-token", pr, map[string]string{"Content-Type": mw.FormDataContentType()})
	videoOf(t, resp)
	c := hs.createCalls()[0]
	if c.src.Size != 12<<20 || c.meta.Name != "Test pattern clip" || c.src.Filename != "big.mkv" {
		t.Fatalf("source %+v meta %+v", c.src, c.meta)
	}
	info, err := hs.blobs.Head(context.Background(), c.src.Key)
	if err != nil {
		t.Fatal(err)
	}
	// A multipart object's ETag ends with its part count: 5 + 5 + 2 MiB.
	if !strings.HasSuffix(info.ETag, "-3") || info.ContentType != "video/x-matroska" {
		t.Fatalf("object %+v is not a 3-part multipart object", info)
	}
	if sum(hs.readObject(c.src.Key)) != sum(video) {
		t.Fatal("stored original differs")
	}
}

// eventually waits until ok holds (the server may still be cleaning up
// after a client that went away).
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestLegacyUploadCutShortLeavesNothing(t *testing.T) {
	hs := newHarness(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range cliFields {
			_ = mw.WriteField(f[0], f[1])
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="videofile"; filename="clip.mp4"`)
		h.Set("Content-Type", "video/mp4")
		part, _ := mw.CreatePart(h)
		_, _ = part.Write(randomBytes(7 << 20)) // one whole blob part, then some
		pw.CloseWithError(errors.New("client gone"))
	}()
	req, _ := http.NewRequest("POST", hs.url+"/api/v1/videos/upload", pr)
	req.Header.Set("Authorization", "Bearer alice-token")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("status %d for a body cut short", resp.StatusCode)
		}
	}
	eventually(t, "the cut upload to be cleaned up", func() bool { return len(hs.objects()) == 0 && hs.multipartUploads() == 0 })
	if len(hs.createCalls()) != 0 {
		t.Fatal("a video was created")
	}
}

func TestLegacyUploadRefusals(t *testing.T) {
	video := func() filePart {
		return filePart{"videofile", "clip.mp4", "video/mp4", bytes.NewReader(randomBytes(64 << 10))}
	}
	with := func(changes map[string]string) [][2]string {
		out := [][2]string{}
		for _, f := range cliFields {
			if v, ok := changes[f[0]]; ok {
				if v != "-" {
					out = append(out, [2]string{f[0], v})
				}
				continue
			}
			out = append(out, f)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		token     string
		fields    [][2]string
		files     []filePart
		setup     func(*harness)
		status    int
		wantParam string
		wantInfo  string // in detail, or a response header "Name: value"
	}{
		{"unauthenticated", "", cliFields, []filePart{video()}, nil, 401, "", "Token is invalid"},
		{"no videofile", "alice-token", cliFields, nil, nil, 400, "videofile", "Should have a file"},
		{"empty videofile", "alice-token", cliFields, []filePart{{"videofile", "clip.mp4", "video/mp4", strings.NewReader("")}}, nil, 400, "videofile", ""},
		{"bad name", "alice-token", with(map[string]string{"name": "ab"}), []filePart{video()}, nil, 400, "name", ""},
		{"missing channel", "alice-token", with(map[string]string{"channelId": "-"}), []filePart{video()}, nil, 400, "channelId", ""},
		{"bad tag", "alice-token", with(map[string]string{"tags[1]": "x"}), []filePart{video()}, nil, 400, "tags", ""},
		{"bad thumbnail", "alice-token", cliFields, []filePart{video(), {"thumbnailfile", "t.gif", "image/gif", strings.NewReader("GIF89a")}}, nil, 400, "thumbnailfile", ""},
		{"password privacy", "alice-token", with(map[string]string{"privacy": "5"}), []filePart{video()}, nil, 400, "", "not supported"},
		{"another user's channel", "bob-token", cliFields, []filePart{video()}, nil, 403, "", "another user"},
		{"unknown channel", "alice-token", with(map[string]string{"channelId": "99"}), []filePart{video()}, nil, 400, "", "Unknown video channel"},
		{"not a video", "alice-token", cliFields, []filePart{{"videofile", "notes.txt", "text/plain", strings.NewReader("hello")}}, nil, 415, "", ".mp4, .webm"},
		{"octet-stream with a video name", "alice-token", with(map[string]string{"name": "ab"}), []filePart{{"videofile", "clip.mov", "application/octet-stream", strings.NewReader("x")}}, nil, 400, "name", ""},
		{"octet-stream with another name", "alice-token", cliFields, []filePart{{"videofile", "clip.exe", "application/octet-stream", strings.NewReader("x")}}, nil, 415, "", ""},
		{"quota", "alice-token", cliFields, []filePart{video()}, func(hs *harness) { hs.quota = 1000 }, 413, "", "X-File-Maximum-Size: 1000"},
		{"creation refused", "alice-token", cliFields, []filePart{video()}, func(hs *harness) { hs.setCreateErr(problem.Forbidden("Upload filtered")) }, 403, "", "Upload filtered"},
		{"creation failed", "alice-token", cliFields, []filePart{video()}, func(hs *harness) { hs.setCreateErr(errors.New("table down")) }, 500, "", "Internal server error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t)
			if tc.setup != nil {
				tc.setup(hs)
			}
			body, ct := legacyBody(t, tc.fields, tc.files...)
			resp := hs.do("POST", "/api/v1/videos/upload", tc.token, body, map[string]string{"Content-Type": ct})
			p := problemOf(t, resp, tc.status)
			if tc.wantParam != "" {
				params, _ := p["invalid-params"].(map[string]any)
				if _, ok := params[tc.wantParam]; !ok {
					t.Fatalf("invalid-params %v, want %s", params, tc.wantParam)
				}
			}
			if name, value, isHeader := strings.Cut(tc.wantInfo, ": "); isHeader {
				if resp.Header.Get(name) != value {
					t.Fatalf("header %s = %q", name, resp.Header.Get(name))
				}
			} else if !strings.Contains(fmt.Sprint(p["detail"], p["invalid-params"]), tc.wantInfo) {
				t.Fatalf("problem %v does not say %q", p, tc.wantInfo)
			}
			hs.assertNothingStored()
		})
	}
}

// A body that is not multipart is checked as PeerTube checks it: the
// fields, and a missing file.
func TestLegacyUploadWithoutMultipart(t *testing.T) {
	hs := newHarness(t)
	resp := hs.do("POST", "/api/v1/videos/upload", "alice-token", strings.NewReader("name=ab&channelId=1"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	p := problemOf(t, resp, 400)
	params := p["invalid-params"].(map[string]any)
	if len(params) != 2 || params["name"] == nil || params["videofile"] == nil {
		t.Fatalf("params %v", params)
	}
	resp = hs.do("POST", "/api/v1/videos/upload", "alice-token", strings.NewReader("--x\r\nbroken"),
		map[string]string{"Content-Type": "multipart/form-data; boundary=x"})
	problemOf(t, resp, 400)
	hs.assertNothingStored()
}
