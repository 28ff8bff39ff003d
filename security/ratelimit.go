package security

import (
	"net/http"
	"net/netip"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// PocketBase's rate limiter counts requests per client IP. An IPv6
// subscriber (a phone on a mobile network, a home, a rented server) is
// given a whole /64 and may send each request from another of its 2^64
// addresses, so per IPv6 address no limit holds: 40 password guesses in
// 30 s from one /64 all reached the handler under the 10-per-30-s login
// rule. So while the limiter runs, and only then, an IPv6 client's
// address is its /64's first address: the limiter (the only middleware at
// its priority) counts a /64 as one client, as the sync pull's page budget
// does. Everything else (logs, IP allow lists, the realtime client's
// address) sees the real address. An address in the limiter's excluded
// list stays as it is, so that it stays excluded.
const (
	maskPriority    = apis.DefaultRateLimitMiddlewarePriority - 1
	restorePriority = apis.DefaultRateLimitMiddlewarePriority + 1
	restoreKey      = "amanRateLimitRestore"
)

// rateLimitByPrefix is the pair of middlewares around PocketBase's rate
// limiter: the first gives it the /64 as the client's address, the second
// gives the request its own back.
func rateLimitByPrefix() (mask, restore *hook.Handler[*core.RequestEvent]) {
	mask = &hook.Handler[*core.RequestEvent]{
		Id:       "amanRateLimitMask",
		Priority: maskPriority,
		Func: func(e *core.RequestEvent) error {
			back := maskIPv6(e)
			if back == nil {
				return e.Next()
			}
			e.Set(restoreKey, back)
			defer back() // when the limiter refuses, restore does not run
			return e.Next()
		},
	}
	restore = &hook.Handler[*core.RequestEvent]{
		Id:       "amanRateLimitRestore",
		Priority: restorePriority,
		Func: func(e *core.RequestEvent) error {
			if back, ok := e.Get(restoreKey).(func()); ok {
				back()
			}
			return e.Next()
		},
	}
	return mask, restore
}

// maskIPv6 makes the request's client address (RealIP: the trusted proxy
// header PocketBase would read, else the peer's address) its /64's first
// address when it is an IPv6 one, and returns what gives the request its
// own back (nil: nothing changed).
func maskIPv6(e *core.RequestEvent) func() {
	settings := e.App.Settings()
	real := e.RealIP()
	a, err := netip.ParseAddr(real)
	if err != nil || a.Is4() || a.Is4In6() {
		return nil
	}
	for _, excluded := range settings.RateLimits.ExcludedIPs {
		if p, err := netip.ParsePrefix(excluded); err == nil && p.Contains(a) {
			return nil
		}
		if x, err := netip.ParseAddr(excluded); err == nil && x == a {
			return nil
		}
	}
	p, _ := a.Prefix(64)
	masked := p.Addr().String()
	if masked == real {
		return nil
	}
	req := e.Request
	remote := req.RemoteAddr
	headers := map[string][]string{}
	for _, h := range settings.TrustedProxy.Headers {
		if values := req.Header.Values(h); len(values) > 0 {
			headers[http.CanonicalHeaderKey(h)] = values
			req.Header.Set(h, masked)
		}
	}
	req.RemoteAddr = "[" + masked + "]:0"
	done := false
	return func() {
		if done {
			return
		}
		done = true
		req.RemoteAddr = remote
		for h, values := range headers {
			req.Header[h] = values
		}
	}
}
