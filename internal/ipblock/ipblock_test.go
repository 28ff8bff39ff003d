package ipblock_test

import (
	"testing"

	"aman/internal/ipblock"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::7", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::7", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := ipblock.Of(tc.ip); got != tc.want {
			t.Errorf("Of(%q) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}
