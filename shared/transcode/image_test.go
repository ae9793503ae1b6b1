package transcode

import (
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

func decodeJPEG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a JPEG: %v", filepath.Base(path), err)
	}
	return img
}

// meanRGB averages a rectangle of img, 8-bit per channel.
func meanRGB(img image.Image, r image.Rectangle) (red, green, blue float64) {
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			red, green, blue = red+float64(cr>>8), green+float64(cg>>8), blue+float64(cb>>8)
			n++
		}
	}
	return red / n, green / n, blue / n
}

func TestThumbnailAndPreview(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	tests := []struct {
		name  string
		input string
		at    float64
	}{
		{"landscape video", f.clip720, 5},
		{"portrait video", f.portrait, 1},
		{"rotated video", f.rotated, 1},
		{"one-second clip, seek past the end", f.small, 30},
		{"audio without cover", f.audio, 1.5},
		{"audio with cover", f.song, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, img := range []struct {
				name string
				make func(context.Context, string, float64, string) error
				size ImageSize
			}{
				{"thumbnail.jpg", tools.Thumbnail, ThumbnailSize},
				{"preview.jpg", tools.Preview, PreviewSize},
			} {
				out := filepath.Join(dir, img.name)
				if err := img.make(ctx, tt.input, tt.at, out); err != nil {
					t.Fatalf("%s: %v", img.name, err)
				}
				pic := decodeJPEG(t, out)
				if b := pic.Bounds(); b.Dx() != img.size.Width || b.Dy() != img.size.Height {
					t.Errorf("%s is %dx%d, want %dx%d", img.name, b.Dx(), b.Dy(), img.size.Width, img.size.Height)
				}
				switch tt.input {
				case f.audio: // a plain dark picture
					r, g, b := meanRGB(pic, pic.Bounds())
					if r > 48 || g > 48 || b > 48 || r < 16 {
						t.Errorf("%s of audio: mean colour %.0f,%.0f,%.0f, want dark grey", img.name, r, g, b)
					}
				case f.song: // the red square cover, whole in the middle, shaded at the sides
					w, h := img.size.Width, img.size.Height
					r, g, b := meanRGB(pic, image.Rect(w/2-h/4, h/4, w/2+h/4, 3*h/4))
					sr, _, _ := meanRGB(pic, image.Rect(0, 0, w/10, h))
					if r < 240 || g > 20 || b > 20 || sr < 100 || sr > 150 {
						t.Errorf("%s of the song: middle %.0f,%.0f,%.0f, sides red %.0f; want the red cover on a shaded copy", img.name, r, g, b, sr)
					}
				}
			}
		})
	}
}

// A portrait picture on a landscape image is centred, whole, on a copy
// shaded toward black, as PeerTube does.
func TestPortraitImageIsShadedAtTheSides(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "preview.jpg")
	// A white portrait source: the shaded sides come out mid grey.
	white := filepath.Join(dir, "white.mp4")
	if err := ffmpegRun("-f", "lavfi", "-i", "color=c=white:s=180x320:r=25:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", white); err != nil {
		t.Fatal(err)
	}
	if err := testTools().Preview(context.Background(), white, 0, out); err != nil {
		t.Fatal(err)
	}
	pic := decodeJPEG(t, out)
	side, _, _ := meanRGB(pic, image.Rect(0, 0, 100, 480))
	middle, _, _ := meanRGB(pic, image.Rect(400, 0, 450, 480))
	if middle < 235 || side < 110 || side > 145 {
		t.Errorf("middle %.0f, sides %.0f: want white in the middle and sides shaded to about half", middle, side)
	}
}

func TestImageInvalidInput(t *testing.T) {
	f := media(t)
	err := testTools().Thumbnail(context.Background(), f.text, 0, filepath.Join(t.TempDir(), "t.jpg"))
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("Thumbnail of a text file: %v, want an InputError", err)
	}
}
