// Package ipblock names the block of addresses one client holds: an IPv4
// address as it is, an IPv6 one by its /64, the block one subscriber (a
// phone, a home) is given whole and can pick addresses from at will. Budgets
// counted per client address count per block.
package ipblock

import "net/netip"

// Of returns the block ip belongs to, as text: the IPv4 address itself (an
// IPv4-mapped IPv6 one unmapped), or the IPv6 /64 in prefix notation. Text
// that is not an address is returned as it is.
func Of(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
