package wire_test

import (
	"strings"
	"testing"

	"aman/syncapi/wire"
)

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"deflate, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;Q=0", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"*, gzip;q=0", false},
		{"identity", false},
		{"br, deflate", false},
		{"notgzip", false},
		{"gzipped", false},
		{"identity;q=1, gzip;level=9", true},
		{"gzip;q=abc", true},
		{"gzip;q=NaN", true},
		{"gzip;q=-1", false},
		{",,, gzip ,", true},
	}
	for _, c := range cases {
		if got := wire.AcceptsGzip(c.header); got != c.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

// A long header is read without splitting it into strings.
func TestAcceptsGzip_LongHeaderAllocatesNothing(t *testing.T) {
	header := strings.Repeat("br;q=0.1, ", 100_000) + "gzip"
	allocs := testing.AllocsPerRun(5, func() {
		if !wire.AcceptsGzip(header) {
			t.Fatal("gzip at the end not found")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations, want 0", allocs)
	}
}
