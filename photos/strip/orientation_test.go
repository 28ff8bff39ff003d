package strip_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/jpeg"
	"testing"

	"aman/photos/strip"
)

// exifLE is a little-endian Exif payload whose IFD0 holds Make and, if
// orientation > 0, Orientation (as phones write it).
func exifLE(orientation uint16, truncate int) []byte {
	const makeAt = 8 + 2 + 2*12 + 4
	b := []byte("Exif\x00\x00II\x2a\x00")
	b = binary.LittleEndian.AppendUint32(b, 8)
	b = binary.LittleEndian.AppendUint16(b, 2)
	entry := func(tag, typ uint16, count, value uint32) {
		b = binary.LittleEndian.AppendUint16(b, tag)
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = binary.LittleEndian.AppendUint32(b, count)
		b = binary.LittleEndian.AppendUint32(b, value)
	}
	entry(0x010F, 2, 12, makeAt)
	if orientation > 0 {
		entry(0x0112, 3, 1, uint32(orientation))
	} else {
		entry(0x0131, 2, 4, 0) // Software, empty
	}
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, append(cameraMake, 0)...)
	return b[:len(b)-truncate]
}

func jpegWithExif(t testing.TB, exif []byte) []byte {
	plain := plainJPEG(t)
	b := append([]byte{0xFF, 0xD8}, jpegSegment(0xE1, exif)...)
	return append(b, plain[2:]...)
}

// orientationSegment is what JPEG must write for orientation o.
func orientationSegment(o byte) []byte {
	return []byte("\xff\xe1\x00\x22" + "Exif\x00\x00" + "MM\x00\x2a\x00\x00\x00\x08" +
		"\x00\x01" + "\x01\x12\x00\x03\x00\x00\x00\x01\x00" + string([]byte{o}) + "\x00\x00" + "\x00\x00\x00\x00")
}

func TestJPEG_KeepsOnlyOrientation(t *testing.T) {
	scenarios := []struct {
		name string
		exif []byte
		want []byte // the Exif segment expected in the output, nil for none
	}{
		{"rotated 90 (6)", exifLE(6, 0), orientationSegment(6)},
		{"mirrored (2)", exifLE(2, 0), orientationSegment(2)},
		{"default (1) needs nothing", exifLE(1, 0), nil},
		{"no orientation", exifLE(0, 0), nil},
		{"out of range (9)", exifLE(9, 0), nil},
		{"truncated IFD", exifLE(6, 30), nil},
		{"big-endian GPS Exif without orientation", append([]byte("Exif\x00\x00"), exifTIFF()...), nil},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			in := jpegWithExif(t, s.exif)
			out, err := strip.JPEG(in)
			if err != nil {
				t.Fatal(err)
			}
			if found := leaks(out); len(found) > 0 && s.want == nil {
				t.Fatalf("metadata left: %v", found)
			}
			if bytes.Contains(out, cameraMake) {
				t.Fatalf("camera make left")
			}
			hasExif := bytes.Contains(out, []byte("Exif\x00\x00"))
			if s.want == nil && hasExif || s.want != nil && !bytes.Contains(out, s.want) {
				t.Fatalf("Exif in output: %v, want %x", hasExif, s.want)
			}
			if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if again, _ := strip.JPEG(out); !bytes.Equal(again, out) {
				t.Fatalf("not idempotent")
			}
		})
	}
}
