package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"strings"
)

// MaxBodyBytes is the largest push body, both as sent and as unpacked.
const MaxBodyBytes = 16 << 20

// Errors of Unpack.
var (
	ErrEncoding = errors.New("unsupported content encoding")
	ErrTooLarge = errors.New("body too large")
)

// Unpack returns the JSON of a push body sent with the Content-Encoding
// encoding (the header's lines joined with commas): the body itself when
// it was sent uncompressed (no encoding, or identity), or its gzip content
// (gzip or x-gzip, once). A push of reports shrinks to about a fifth with
// gzip, and the upload is what a phone on 2G is shortest of. Another or a
// stacked encoding is ErrEncoding.
//
// A few kilobytes of gzip may unpack to gigabytes, so before it allocates
// the unpacked body Unpack calls reserve with its size (for gzip, the size
// its trailer declares), letting the caller bound the memory of the bodies
// in flight; an error from reserve is returned as it is. A size over
// MaxBodyBytes is ErrTooLarge. The body must be one gzip member that
// unpacks to exactly the declared size, with nothing after it: anything
// else is ErrMalformed, so a trailer cannot understate what follows.
func Unpack(raw []byte, encoding string, reserve func(n int) error) ([]byte, error) {
	gzipped, err := parseEncoding(encoding)
	if err != nil {
		return nil, err
	}
	if !gzipped {
		if len(raw) > MaxBodyBytes {
			return nil, ErrTooLarge
		}
		return raw, reserve(len(raw))
	}
	const header, trailer = 10, 8 // RFC 1952
	br := bytes.NewReader(raw)
	zr, err := gzip.NewReader(br)
	if err != nil || len(raw) < header+trailer {
		return nil, ErrMalformed
	}
	zr.Multistream(false)
	size := binary.LittleEndian.Uint32(raw[len(raw)-4:])
	if size > MaxBodyBytes {
		return nil, tooLargeOrBroken(zr)
	}
	if err := reserve(int(size)); err != nil {
		return nil, err
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, ErrMalformed
	}
	// at the member's end (gzip checks its checksum and size there), and
	// nothing after it
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF || br.Len() != 0 {
		return nil, ErrMalformed
	}
	return out, nil
}

// tooLargeOrBroken tells a body that does unpack past MaxBodyBytes from one
// whose last four bytes are not a trailer (cut short, or followed by other
// data), unpacking into nothing: CPU, not memory.
func tooLargeOrBroken(zr *gzip.Reader) error {
	n, _ := io.Copy(io.Discard, io.LimitReader(zr, MaxBodyBytes+1))
	if n > MaxBodyBytes {
		return ErrTooLarge
	}
	return ErrMalformed
}

// parseEncoding reports whether a Content-Encoding value means gzip:
// Gzipped reports whether a body sent with the Content-Encoding encoding
// is gzip-compressed, or ErrEncoding for an encoding Unpack refuses: a
// server can refuse it before reading the body.
func Gzipped(encoding string) (bool, error) { return parseEncoding(encoding) }

// identity and empty items are no encoding; gzip or x-gzip may appear once.
func parseEncoding(encoding string) (bool, error) {
	var codings []string
	for _, c := range strings.Split(encoding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	switch {
	case len(codings) == 0:
		return false, nil
	case len(codings) == 1 && (codings[0] == "gzip" || codings[0] == "x-gzip"):
		return true, nil
	}
	return false, ErrEncoding
}
