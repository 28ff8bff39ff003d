package strip_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"golang.org/x/image/webp"

	"aman/photos/strip"
)

// leaks lists the planted metadata bytes found in b.
func leaks(b []byte) []string {
	planted := map[string][]byte{
		"Exif header": []byte("Exif\x00\x00"), "TIFF header": []byte("MM\x00\x2a"), "camera make": cameraMake,
		"GPS latitude": gpsLatitude, "XMP": []byte("xmpmeta"), "text": secretText, "JFIF thumbnail": {0xAA, 0xBB, 0xCC},
	}
	var found []string
	for name, p := range planted {
		if bytes.Contains(b, p) {
			found = append(found, name)
		}
	}
	return found
}

type decoder func(io.Reader) (image.Image, error)

// samePixels decodes both and compares every pixel: stripping must not
// touch the image data.
func samePixels(t *testing.T, decode decoder, want, got []byte) {
	t.Helper()
	a, err := decode(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("decode original: %v", err)
	}
	b, err := decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("decode stripped: %v", err)
	}
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel %d,%d differs: %v vs %v", x, y, b.At(x, y), a.At(x, y))
			}
		}
	}
}

func TestImage_RemovesMetadataKeepsPixels(t *testing.T) {
	scenarios := []struct {
		name     string
		sample   func(testing.TB) []byte
		wantType string
		decode   decoder
	}{
		{"jpeg", jpegWithMetadata, strip.TypeJPEG, jpeg.Decode},
		{"jpeg_plain", plainJPEG, strip.TypeJPEG, jpeg.Decode},
		{"png", pngWithMetadata, strip.TypePNG, png.Decode},
		{"png_plain", plainPNG, strip.TypePNG, png.Decode},
		{"webp", webpWithMetadata, strip.TypeWebP, webp.Decode},
		{"webp_plain", plainWebP, strip.TypeWebP, webp.Decode},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			in := s.sample(t)
			if planted := leaks(in); s.name == s.wantType[len("image/"):] && len(planted) < 3 {
				t.Fatalf("sample has too little metadata to test: %v", planted)
			}
			out, contentType, err := strip.Image(in)
			if err != nil {
				t.Fatalf("Image: %v", err)
			}
			if contentType != s.wantType {
				t.Fatalf("type %q, want %q", contentType, s.wantType)
			}
			if found := leaks(out); len(found) > 0 {
				t.Fatalf("metadata left: %v", found)
			}
			samePixels(t, s.decode, in, out)
			again, _, err := strip.Image(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("Image is not idempotent (err %v)", err)
			}
		})
	}
}

func TestJPEG_KeepsColourSegments(t *testing.T) {
	out, err := strip.JPEG(jpegWithMetadata(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]byte{[]byte("ICC_PROFILE\x00"), []byte("JFIF\x00")} {
		if !bytes.Contains(out, want) {
			t.Errorf("%q dropped", want)
		}
	}
	if !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
		t.Errorf("output does not end with EOI")
	}
}

func TestPNG_OnlyRenderingChunksRemain(t *testing.T) {
	out, err := strip.PNG(pngWithMetadata(t))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for p := 8; p < len(out); {
		n := int(binary.BigEndian.Uint32(out[p:]))
		types = append(types, string(out[p+4:p+8]))
		p += 12 + n
	}
	for _, chunkType := range types {
		switch chunkType {
		case "IHDR", "IDAT", "IEND":
		default:
			t.Errorf("chunk %q kept", chunkType)
		}
	}
	if types[len(types)-1] != "IEND" {
		t.Errorf("last chunk %q", types[len(types)-1])
	}
}

func TestWebP_FlagsAndSize(t *testing.T) {
	out, err := strip.WebP(webpWithMetadata(t))
	if err != nil {
		t.Fatal(err)
	}
	if size := binary.LittleEndian.Uint32(out[4:8]); int(size) != len(out)-8 {
		t.Fatalf("RIFF size %d, file has %d bytes after the header", size, len(out)-8)
	}
	if string(out[12:16]) != "VP8X" {
		t.Fatalf("first chunk %q", out[12:16])
	}
	if flags := out[20]; flags&(0x08|0x04) != 0 {
		t.Fatalf("VP8X flags %#x still announce EXIF/XMP", flags)
	}
	for _, gone := range []string{"EXIF", "XMP ", "priv"} {
		if bytes.Contains(out, []byte(gone)) {
			t.Errorf("chunk %q kept", gone)
		}
	}
}

func TestImage_Refuses(t *testing.T) {
	truncatedJPEG := plainJPEG(t)[:40]
	scenarios := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, strip.ErrUnsupported},
		{"html", []byte("<!DOCTYPE html><script>alert(1)</script>"), strip.ErrUnsupported},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>`), strip.ErrUnsupported},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), strip.ErrUnsupported},
		{"pdf", []byte("%PDF-1.4\n%âãÏÓ\n"), strip.ErrUnsupported},
		{"jpeg_magic_only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00}, strip.ErrCorrupt},
		{"jpeg_without_frame", []byte{0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x03, 'x', 0xFF, 0xD9}, strip.ErrCorrupt},
		{"jpeg_truncated_header", truncatedJPEG, strip.ErrCorrupt},
		{"png_signature_only", []byte("\x89PNG\r\n\x1a\n"), strip.ErrCorrupt},
		{"png_huge_chunk", append([]byte("\x89PNG\r\n\x1a\n\x7f\xff\xff\xffIHDR"), make([]byte, 20)...), strip.ErrCorrupt},
		{"webp_bad_size", []byte("RIFF\xff\xff\xff\x7fWEBPVP8 \x00\x00\x00\x00"), strip.ErrCorrupt},
		{"webp_no_image", riff(riffChunk("EXIF", []byte("VP8 xx"))), strip.ErrUnsupported},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			out, _, err := strip.Image(s.data)
			if !errors.Is(err, s.want) {
				t.Fatalf("err = %v, want %v", err, s.want)
			}
			if out != nil && errors.Is(err, strip.ErrUnsupported) {
				t.Fatalf("output on refusal")
			}
		})
	}
}

// TestImage_RefusesTooManyPixels: an image's size is read from its header
// before anything decodes it whole, so a small file of billions of pixels
// (one colour compresses to nearly nothing) is refused, whatever its
// format, and a 50 MP camera's photo is not.
func TestImage_RefusesTooManyPixels(t *testing.T) {
	pngOf := func(w, h int) []byte {
		ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
		ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grayscale
		b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
		b = append(b, pngChunk("IDAT", nil)...)
		return append(b, pngChunk("IEND", nil)...)
	}
	// a lossless bitstream header: signature, 14-bit width-1 and height-1
	vp8l := func(w, h int) []byte {
		bits := uint32(w-1) | uint32(h-1)<<14
		return riffChunk("VP8L", append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, bits)...))
	}
	vp8x := func(w, h int) []byte {
		payload := append([]byte{0, 0, 0, 0}, le24(w-1)...)
		return riffChunk("VP8X", append(payload, le24(h-1)...))
	}
	scenarios := []struct {
		name    string
		data    []byte
		w, h    int
		refused bool
	}{
		{"png of 15000x15000", pngOf(15000, 15000), 15000, 15000, true},
		{"png of 65535x1000", pngOf(65535, 1000), 65535, 1000, true},
		{"lossless webp of 16383x16383", riff(vp8l(16383, 16383)), 16383, 16383, true},
		{"extended webp of a 16384x16384 canvas", riff(vp8x(16384, 16384), vp8l(1, 1)), 16384, 16384, true},
		{"png of a 50 MP camera", pngOf(8160, 6120), 8160, 6120, false},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			_, _, err := strip.Image(s.data)
			var tooMany *strip.TooManyPixelsError
			if got := errors.As(err, &tooMany); got != s.refused {
				t.Fatalf("err = %v, want refused %v", err, s.refused)
			}
			if s.refused && (tooMany.Width != s.w || tooMany.Height != s.h) {
				t.Fatalf("refused as %dx%d, want %dx%d", tooMany.Width, tooMany.Height, s.w, s.h)
			}
		})
	}
}
