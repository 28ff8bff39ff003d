package strip

import (
	"bytes"
	"fmt"
)

// JPEG markers this file refers to.
const (
	markerSOI   = 0xD8
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerAPP0  = 0xE0
	markerAPP1  = 0xE1
	markerAPP2  = 0xE2
	markerAPP14 = 0xEE
	markerAPP15 = 0xEF
	markerCOM   = 0xFE
	markerTEM   = 0x01
	markerRST0  = 0xD0
	markerRST7  = 0xD7
	markerJPG   = 0xC8
)

// jfifHeaderLen is the APP0 JFIF payload without its optional thumbnail:
// "JFIF\0", version (2), units (1), densities (2+2), thumbnail size (1+1).
const jfifHeaderLen = 14

// JPEG returns data without its metadata segments: APP1 (Exif, XMP),
// APP13 (IPTC), COM, every other APPn except the JFIF header (its thumbnail
// removed), the ICC profile (APP2) and the Adobe colour transform (APP14),
// and anything after EOI (trailers, MPF secondary images). Every other
// segment and the entropy-coded data are copied byte for byte, so the image
// is not re-encoded. A file that ends inside the scan data gets its EOI.
// The first Exif Orientation other than the default survives, alone, in a
// minimal Exif APP1 written here, so rotated phone photos stay upright.
func JPEG(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != markerSOI {
		return nil, fmt.Errorf("jpeg: no start of image: %w", ErrCorrupt)
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, markerSOI)
	hasOrientation := false
	for p := 2; ; {
		if p >= len(data) {
			// Truncated after a complete segment or scan: close it.
			return append(out, 0xFF, markerEOI), nil
		}
		marker, next, err := readMarker(data, p)
		if err != nil {
			return nil, err
		}
		p = next
		switch {
		case marker == markerEOI:
			return append(out, 0xFF, markerEOI), nil
		case marker == markerTEM || (marker >= markerRST0 && marker <= markerRST7):
			out = append(out, 0xFF, marker)
			continue
		case marker == markerSOI || (marker > markerTEM && marker < 0xC0):
			return nil, fmt.Errorf("jpeg: unexpected marker %#x: %w", marker, ErrCorrupt)
		}
		segment, next, err := readSegment(data, p)
		if err != nil {
			return nil, err
		}
		p = next
		out, hasOrientation = appendJPEGSegment(out, marker, segment, hasOrientation)
		if marker == markerSOS {
			end := scanEnd(data, p)
			out = append(out, data[p:end]...)
			p = end
		}
	}
}

// readMarker reads the marker at data[p] (0xFF, optional 0xFF fill bytes,
// marker code) and returns the code and the offset after it.
func readMarker(data []byte, p int) (byte, int, error) {
	if data[p] != 0xFF {
		return 0, 0, fmt.Errorf("jpeg: expected marker at %d: %w", p, ErrCorrupt)
	}
	for p < len(data) && data[p] == 0xFF {
		p++
	}
	if p >= len(data) {
		return 0, 0, fmt.Errorf("jpeg: truncated marker: %w", ErrCorrupt)
	}
	if data[p] == 0x00 {
		return 0, 0, fmt.Errorf("jpeg: stuffed byte outside scan: %w", ErrCorrupt)
	}
	return data[p], p + 1, nil
}

// readSegment reads a length-prefixed segment payload at data[p].
func readSegment(data []byte, p int) ([]byte, int, error) {
	if p+2 > len(data) {
		return nil, 0, fmt.Errorf("jpeg: truncated segment length: %w", ErrCorrupt)
	}
	n := int(data[p])<<8 | int(data[p+1])
	if n < 2 || p+n > len(data) {
		return nil, 0, fmt.Errorf("jpeg: segment length %d at %d: %w", n, p, ErrCorrupt)
	}
	return data[p+2 : p+n], p + n, nil
}

// scanEnd returns the offset of the first marker after entropy-coded data
// starting at p: a 0xFF not followed by a stuffed 0x00 or a restart marker
// (RSTn belongs to the scan). A lone 0xFF as the last byte is a truncated
// marker and is returned as one. Returns len(data) if the data just ends.
func scanEnd(data []byte, p int) int {
	for i := p; i < len(data); {
		switch {
		case data[i] != 0xFF:
			i++
		case i+1 == len(data):
			return i
		case data[i+1] == 0x00 || (data[i+1] >= markerRST0 && data[i+1] <= markerRST7):
			i += 2
		default:
			return i
		}
	}
	return len(data)
}

// appendJPEGSegment appends the segment if it stays; an Exif segment that
// goes is replaced by an orientation-only one, once (hasOrientation).
func appendJPEGSegment(out []byte, marker byte, payload []byte, hasOrientation bool) ([]byte, bool) {
	if kept, ok := keepJPEGSegment(marker, payload); ok {
		return appendSegment(out, marker, kept), hasOrientation
	}
	if marker != markerAPP1 || hasOrientation {
		return out, hasOrientation
	}
	if o := exifOrientation(payload); o != 0 {
		return appendSegment(out, marker, orientationOnlyExif(o)), true
	}
	return out, false
}

// keepJPEGSegment decides whether a segment stays, and with which payload.
func keepJPEGSegment(marker byte, payload []byte) ([]byte, bool) {
	switch {
	case marker == markerAPP0:
		return jfifWithoutThumbnail(payload)
	case marker == markerAPP2:
		return payload, bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00"))
	case marker == markerAPP14:
		return payload, bytes.HasPrefix(payload, []byte("Adobe"))
	case marker >= markerAPP0 && marker <= markerAPP15, marker == markerCOM:
		return nil, false
	case marker == markerJPG || marker >= 0xF0:
		// JPGn extensions and reserved markers carry nothing a decoder needs.
		return nil, false
	default:
		return payload, true
	}
}

// jfifWithoutThumbnail keeps the JFIF header with its thumbnail removed: a
// thumbnail can show what an edit cropped out. Other APP0 (JFXX) go.
func jfifWithoutThumbnail(payload []byte) ([]byte, bool) {
	if len(payload) < jfifHeaderLen || !bytes.HasPrefix(payload, []byte("JFIF\x00")) {
		return nil, false
	}
	header := bytes.Clone(payload[:jfifHeaderLen])
	header[12], header[13] = 0, 0
	return header, true
}

func appendSegment(out []byte, marker byte, payload []byte) []byte {
	n := len(payload) + 2
	out = append(out, 0xFF, marker, byte(n>>8), byte(n))
	return append(out, payload...)
}
