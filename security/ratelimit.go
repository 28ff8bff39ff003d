package security

import (
	"crypto/sha256"
	"net/http"
	"net/netip"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"aman/internal/ipblock"
)

// PocketBase's rate limiter counts requests per client IP. Two things make
// an IP the wrong client:
//   - An IPv6 subscriber (a phone on a mobile network, a home, a rented
//     server) is given a whole /64 and may send each request from another
//     of its 2^64 addresses, so per IPv6 address no limit holds: 40
//     password guesses in 30 s from one /64 all reached the handler under
//     the 10-per-30-s login rule. An IPv6 client counts by its /64.
//   - The phones of a village share one carrier NAT address, so one
//     signed-in user's flood of cheap requests (1,200 empty pushes a
//     minute) refused every other volunteer's pushes there. A signed-in
//     request to the sync routes (superusers are never limited) counts by
//     its account: a stable address made up from the account's id, in the
//     unique-local range fd00::/8, so that no real client shares it. Only
//     there: sign-ups stay counted by address, or accounts made for the
//     purpose would multiply an address's password guesses.
//   - For the same reason one person's 10 mistyped passwords, or one app
//     retrying a login in a loop, refused every login there. A login or an
//     e-mail request (password reset, OTP, verification) counts by its address and the
//     account its body names, and an address has a coarser bound of its
//     own across accounts (login_limit.go). An account's failed password
//     logins across addresses have a budget of their own (account_limit.go).
//
// So while the limiter runs, and only then, the request's client address
// is that address (the limiter is the only middleware at its priority).
// Everything else (logs, IP allow lists, the realtime client's address,
// the pull's page budget) sees the real address. A request from an
// address in the limiter's excluded list stays as it is, so that it stays
// excluded.
const (
	syncRoutes      = "/api/sync/"
	maskPriority    = apis.DefaultRateLimitMiddlewarePriority - 1
	restorePriority = apis.DefaultRateLimitMiddlewarePriority + 1
	restoreKey      = "amanRateLimitRestore"
)

// rateLimitByClient is the pair of middlewares around PocketBase's rate
// limiter: the first gives it the address the client counts by, the second
// gives the request its own back.
func rateLimitByClient() (mask, restore *hook.Handler[*core.RequestEvent]) {
	mask = &hook.Handler[*core.RequestEvent]{
		Id:       "amanRateLimitMask",
		Priority: maskPriority,
		Func: func(e *core.RequestEvent) error {
			back, bound := maskAddress(e)
			if bound != nil {
				e.Set(boundCheckKey, *bound)
			}
			if back == nil {
				return explainRefusal(e, bound, e.Next())
			}
			e.Set(restoreKey, back)
			defer back() // when the limiter refuses, restore does not run
			return explainRefusal(e, bound, e.Next())
		},
	}
	restore = &hook.Handler[*core.RequestEvent]{
		Id:       "amanRateLimitRestore",
		Priority: restorePriority,
		Func: func(e *core.RequestEvent) error {
			if back, ok := e.Get(restoreKey).(func()); ok {
				back()
			}
			// Only what the limiter let through counts against the
			// address's bound: an app retrying in a loop on its own
			// (address, identity) spends none of its neighbours' bound.
			if bound, ok := e.Get(boundCheckKey).(boundCheck); ok {
				if err := bound.check(e); err != nil {
					return err
				}
			}
			return e.Next()
		},
	}
	return mask, restore
}

// maskAddress makes the request's client address (RealIP: the trusted
// proxy header PocketBase would read, else the peer's address) the one the
// limiter counts it by, and returns what gives the request its own back
// (nil: nothing changed) and, for a login or an e-mail request, the bound
// of its address (login_limit.go).
func maskAddress(e *core.RequestEvent) (func(), *boundCheck) {
	settings := e.App.Settings()
	real := e.RealIP()
	a, err := netip.ParseAddr(real)
	if err != nil {
		return nil, nil
	}
	for _, excluded := range settings.RateLimits.ExcludedIPs {
		if p, err := netip.ParsePrefix(excluded); err == nil && p.Contains(a) {
			return nil, nil
		}
		if x, err := netip.ParseAddr(excluded); err == nil && x == a {
			return nil, nil
		}
	}
	if !settings.RateLimits.Enabled || e.HasSuperuserAuth() {
		return nil, nil
	}
	var masked string
	var bound *boundCheck
	if identity, collectionId, route, ok := identityRoute(e); ok {
		bounds := boundsOf(e.App)
		bound = &boundCheck{bound: bounds.login, bucket: ipblock.Of(real)}
		if route.email {
			bound.bound = bounds.email
		}
		if identity != "" {
			masked = identityAddress(bound.bucket, identity).String()
			if route.password {
				bound.guard, bound.account = bounds.accounts, collectionId+"\x00"+identity
			}
		}
		bound.password = route.password
	}
	switch {
	case masked != "":
	case e.Auth != nil && strings.HasPrefix(e.Request.URL.Path, syncRoutes):
		masked = accountAddress(e.Auth).String()
	case a.Is4() || a.Is4In6():
		return nil, bound
	default:
		p, _ := a.Prefix(64)
		masked = p.Addr().String()
	}
	if masked == real {
		return nil, bound
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
	}, bound
}

// accountAddress is the made-up address a signed-in account counts by: in
// fd00::/8, the rest from a hash of its collection and id.
func accountAddress(auth *core.Record) netip.Addr {
	sum := sha256.Sum256([]byte(auth.Collection().Id + "/" + auth.Id))
	var b [16]byte
	b[0] = 0xfd
	copy(b[1:], sum[:15])
	return netip.AddrFrom16(b)
}
