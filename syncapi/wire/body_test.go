package wire_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"aman/syncapi/wire"
)

func gz(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

// TestUnpack: what each body and encoding unpacks to or why it is refused,
// and that the memory is reserved, at the declared size, before the
// unpacked body is allocated.
func TestUnpack(t *testing.T) {
	const push = `{"client":"dev-1","mutations":[]}`
	packed := gz(push)
	understated := bytes.Clone(gz(strings.Repeat("0", 4096)))
	binary.LittleEndian.PutUint32(understated[len(understated)-4:], 10) // the trailer claims 10 bytes
	overLimit := bytes.Clone(packed)
	binary.LittleEndian.PutUint32(overLimit[len(overLimit)-4:], wire.MaxBodyBytes+1)
	refused := errors.New("no room")
	cases := []struct {
		name     string
		raw      []byte
		encoding string
		want     string // the body, or "" when err is set
		err      error
		reserved int // -1: reserve is not called; -2: either way
	}{
		{"plain", []byte(push), "", push, nil, len(push)},
		{"identity", []byte(push), "identity", push, nil, len(push)},
		{"gzip", packed, "gzip", push, nil, len(push)},
		{"x-gzip, case and spaces", packed, " X-GZIP ", push, nil, len(push)},
		{"identity then gzip", packed, "identity, gzip", push, nil, len(push)},
		{"two header lines of gzip", packed, "gzip,gzip", "", wire.ErrEncoding, -1},
		{"brotli", []byte(push), "br", "", wire.ErrEncoding, -1},
		{"gzip with a parameter", packed, "gzip;q=1", "", wire.ErrEncoding, -1},
		{"plain said to be gzip", []byte(push), "gzip", "", wire.ErrMalformed, -1},
		{"truncated", packed[:len(packed)-5], "gzip", "", wire.ErrMalformed, -2},
		{"trailing data", append(bytes.Clone(packed), "garbage"...), "gzip", "", wire.ErrMalformed, -1},
		{"two members", append(bytes.Clone(packed), packed...), "gzip", "", wire.ErrMalformed, len(push)},
		{"a trailer understating the size", understated, "gzip", "", wire.ErrMalformed, 10},
		{"a trailer claiming more than the limit", overLimit, "gzip", "", wire.ErrMalformed, -1},
		{"17 MiB unpacked", gz(strings.Repeat("0", 17<<20)), "gzip", "", wire.ErrTooLarge, -1},
		{"no room for it", packed, "gzip", "", refused, len(push)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reserved := -1
			out, err := wire.Unpack(tc.raw, tc.encoding, func(n int) error {
				reserved = n
				if tc.err == refused {
					return refused
				}
				return nil
			})
			if !errors.Is(err, tc.err) || string(out) != tc.want || (tc.reserved != -2 && reserved != tc.reserved) {
				t.Fatalf("got %q, %v, reserved %d; want %q, %v, reserved %d", out, err, reserved, tc.want, tc.err, tc.reserved)
			}
		})
	}
}
