package wire

import (
	"bytes"
	"compress/gzip"
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
// header encoding: the body itself when it was sent uncompressed ("" or
// identity), or its gzip content (gzip, x-gzip; case and spaces aside).
// A push of reports shrinks to about a fifth with gzip, and the upload is
// what a phone on 2G is shortest of. What a body unpacks to is held to
// MaxBodyBytes (ErrTooLarge): a few kilobytes may unpack to gigabytes.
// Another or a stacked encoding is ErrEncoding; a body that is not gzip
// when it says so is ErrMalformed.
func Unpack(raw []byte, encoding string) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
	default:
		return nil, ErrEncoding
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrMalformed
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBodyBytes+1))
	switch {
	case len(out) > MaxBodyBytes:
		return nil, ErrTooLarge
	case err != nil:
		return nil, ErrMalformed
	}
	return out, nil
}
