package strip_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/webp"
)

// Distinctive bytes planted in the samples' metadata; none may survive.
var (
	cameraMake = []byte("AmanTestCam")
	// gpsLatitude is the GPSLatitude value 40°7'24.56" as three big-endian
	// rationals: the position a stripped photo must not reveal.
	gpsLatitude = rationals(40, 1, 7, 1, 2456, 100)
	xmpPacket   = []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="40,7.4N"/></x:xmpmeta>`)
	secretText  = []byte("Author: Aman Volunteer 17")
)

const sampleW, sampleH = 64, 48

func rationals(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// sampleImage is a gradient, so that every pixel differs.
func sampleImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, sampleW, sampleH))
	for y := range sampleH {
		for x := range sampleW {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(x + y), 255})
		}
	}
	return img
}

// exifTIFF builds an Exif TIFF block (big-endian) with IFD0 {Make,
// GPSInfo pointer} and a GPS IFD {LatitudeRef, Latitude, LongitudeRef,
// Longitude}, laid out as the offsets below say.
func exifTIFF() []byte {
	const (
		makeAt   = 38  // after IFD0: header 8 + count 2 + 2 entries 24 + next 4
		gpsAt    = 50  // after the 12-byte Make string
		latAt    = 102 // after the GPS IFD: count 2 + 4 entries 48 + next 4
		lonAt    = 126 // after 3 latitude rationals
		typeASCI = 2
		typeLong = 4
		typeRat  = 5
	)
	b := []byte("MM\x00\x2a")
	b = binary.BigEndian.AppendUint32(b, 8)
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = binary.BigEndian.AppendUint16(b, tag)
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint32(b, count)
		return binary.BigEndian.AppendUint32(b, value)
	}
	b = binary.BigEndian.AppendUint16(b, 2)
	b = entry(b, 0x010F, typeASCI, 12, makeAt)
	b = entry(b, 0x8825, typeLong, 1, gpsAt)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = append(b, append(cameraMake, 0)...)
	b = binary.BigEndian.AppendUint16(b, 4)
	b = entry(b, 0x0001, typeASCI, 2, 'N'<<24)
	b = entry(b, 0x0002, typeRat, 3, latAt)
	b = entry(b, 0x0003, typeASCI, 2, 'E'<<24)
	b = entry(b, 0x0004, typeRat, 3, lonAt)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = append(b, gpsLatitude...)
	return append(b, rationals(70, 1, 39, 1, 1555, 100)...)
}

func jpegSegment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

// plainJPEG is a real baseline JPEG from image/jpeg (no metadata at all).
func plainJPEG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, sampleImage(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWithMetadata is plainJPEG with, after SOI: a JFIF APP0 with a
// thumbnail, an Exif APP1 with GPS, an XMP APP1, an IPTC APP13, an ICC
// APP2, a COM; and a trailer after EOI.
func jpegWithMetadata(t testing.TB) []byte {
	t.Helper()
	plain := plainJPEG(t)
	jfif := append([]byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x01\x01"), 0xAA, 0xBB, 0xCC)
	var b []byte
	b = append(b, 0xFF, 0xD8)
	b = append(b, jpegSegment(0xE0, jfif)...)
	b = append(b, jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF()...))...)
	b = append(b, jpegSegment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmpPacket...))...)
	b = append(b, jpegSegment(0xED, append([]byte("Photoshop 3.0\x00"), secretText...))...)
	b = append(b, jpegSegment(0xE2, []byte("ICC_PROFILE\x00\x01\x01fakeprofile"))...)
	b = append(b, jpegSegment(0xFE, secretText)...)
	b = append(b, plain[2:]...)
	return append(b, secretText...)
}

func pngChunk(chunkType string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, chunkType...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(chunkType), data...)))
}

func plainPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, sampleImage()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngWithMetadata is plainPNG with eXIf, tEXt, zTXt, iTXt, tIME and a
// private chunk after IHDR, and a trailer after IEND.
func pngWithMetadata(t testing.TB) []byte {
	t.Helper()
	plain := plainPNG(t)
	const ihdrEnd = 8 + 8 + 13 + 4
	var b []byte
	b = append(b, plain[:ihdrEnd]...)
	b = append(b, pngChunk("eXIf", exifTIFF())...)
	b = append(b, pngChunk("tEXt", append([]byte("Author\x00"), secretText...))...)
	b = append(b, pngChunk("zTXt", append([]byte("Comment\x00\x00"), secretText...))...)
	b = append(b, pngChunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), xmpPacket...))...)
	b = append(b, pngChunk("tIME", []byte{0x07, 0xEA, 11, 27, 8, 0, 0})...)
	b = append(b, pngChunk("prVt", secretText)...)
	b = append(b, plain[ihdrEnd:]...)
	return append(b, secretText...)
}

func riffChunk(fourCC string, payload []byte) []byte {
	b := append([]byte(fourCC), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	b = append(b, payload...)
	if len(payload)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// plainWebP is a real lossless WebP (from golang.org/x/image's test data).
func plainWebP(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/gopher.webp")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// webpWithMetadata turns plainWebP into an extended WebP with EXIF and XMP
// chunks (flags set), an unknown chunk and a trailer after the RIFF data.
func webpWithMetadata(t testing.TB) []byte {
	t.Helper()
	plain := plainWebP(t)
	cfg, err := webp.DecodeConfig(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	vp8x := []byte{0x08 | 0x04, 0, 0, 0}
	vp8x = append(vp8x, le24(cfg.Width-1)...)
	vp8x = append(vp8x, le24(cfg.Height-1)...)
	image := plain[12:] // the VP8L chunk, as is
	b := riff(riffChunk("VP8X", vp8x), image, riffChunk("EXIF", exifTIFF()),
		riffChunk("XMP ", xmpPacket), riffChunk("priv", secretText))
	return append(b, secretText...)
}

func le24(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }
