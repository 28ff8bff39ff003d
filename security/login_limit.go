package security

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Logins and the e-mail requests count by (address, identity), not by
// address alone: the phones of a village share one carrier NAT address, and
// per address one person who mistyped their password 10 times, or one app
// stuck retrying, kept everyone else there from signing in. PocketBase's
// limiter counts such a request by a made-up address (in fd00::/8) derived
// from the client's address (an IPv6 one by its /64) and the lower-cased
// identity the body names (an e-mail change, signed in: the caller's
// account), so its rules (`*:auth` 10 per 30 s, `*:requestPasswordReset`,
// `*:requestOTP`, `*:requestVerification` and `*:requestEmailChange` 5 per
// 60 s) hold per account per address. Spraying guesses over many accounts from one address is
// bounded by addressBound: Limits.LoginsPerAddress logins,
// Limits.EmailRequestsPerAddress e-mail requests.
//
// Superusers' own logins stay counted by address (`_superusers:auth`, 5 per
// 60 s), and so do OAuth2 logins, whose body names no identity.
//
// The bounds are settings (limits.go); these are their defaults.
const (
	// LoginAttemptsPerAddress bounds the password, OTP and OAuth2 logins to
	// the collections other than _superusers that reach the handler from
	// one address (an IPv6 one: its /64) per LoginWindow, whatever account
	// they name.
	LoginAttemptsPerAddress = 100
	LoginWindow             = 30 * time.Second
	// EmailRequestsPerAddress bounds the password-reset, OTP, verification
	// and e-mail change requests (they send e-mail) from one address per
	// EmailWindow.
	EmailRequestsPerAddress = 20
	EmailWindow             = 60 * time.Second

	// boundCapacity is how many addresses each bound remembers; past it the
	// expired windows go, then arbitrary ones.
	boundCapacity = 100_000
	boundsKey     = "amanAddressBounds"
	boundCheckKey = "amanAddressBoundCheck"
)

// identityRoutes maps the route patterns that count by identity to the body
// field naming it and the bound they share.
var identityRoutes = map[string]identityRouteInfo{
	"POST /api/collections/{collection}/auth-with-password":     {field: "identity", password: true},
	"POST /api/collections/{collection}/auth-with-otp":          {field: "otpId"},
	"POST /api/collections/{collection}/auth-with-oauth2":       {},
	"POST /api/collections/{collection}/request-otp":            {field: "email", email: true},
	"POST /api/collections/{collection}/request-password-reset": {field: "email", email: true},
	"POST /api/collections/{collection}/request-verification":   {field: "email", email: true},
	"POST /api/collections/{collection}/request-email-change":   {auth: true, email: true},
}

type identityRouteInfo struct {
	field    string // "": none (OAuth2), counted by address
	email    bool   // the e-mail bound, else the login bound
	password bool   // a password login: its account's failures count (account_limit.go)
	auth     bool   // signed in (an e-mail change): the identity is the caller's account
}

// boundCheck is what the restore middleware checks once PocketBase's
// limiter let the request through.
type boundCheck struct {
	bound  *addressBound
	bucket string
	// for a password login that names an account: the failed logins
	// across addresses, and the account ("collection id\x00identity")
	guard   *accountGuard
	account string
	// a password login: a refusal is login_too_many_attempts
	password bool
}

// identityRoute tells whether the request is a login or an e-mail request
// that counts by identity, and gives the identity its body names ("" when
// none, or when the body cannot be read as the handler would read it), or
// for an e-mail change the id of the signed-in account, and the id of the
// collection.
func identityRoute(e *core.RequestEvent) (identity, collectionId string, route identityRouteInfo, ok bool) {
	route, ok = identityRoutes[e.Request.Pattern]
	if !ok {
		return "", "", route, false
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || !collection.IsAuth() || collection.Name == core.CollectionNameSuperusers {
		return "", "", route, false
	}
	if route.auth {
		if e.Auth == nil || e.Auth.Collection().Id != collection.Id {
			return "", collection.Id, route, true
		}
		return e.Auth.Id, collection.Id, route, true
	}
	if route.field == "" {
		return "", collection.Id, route, true
	}
	return bodyField(e, route.field), collection.Id, route, true
}

// bodyField reads the request's body as the handler will (PocketBase's
// BindBody: JSON with case-insensitive names, a form or a multipart form)
// and returns the string field name, lower-cased. The body stays readable
// from its start: PocketBase's router wraps every body in a
// router.RereadableReadCloser, which rewinds at its end. A body over
// SmallBodyLimit is not parsed (the body limit refuses it later).
func bodyField(e *core.RequestEvent, name string) string {
	req := e.Request
	body, ok := req.Body.(interface {
		io.Reader
		router.Rereader
	})
	if !ok || req.ContentLength > SmallBodyLimit {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(body, SmallBodyLimit+1))
	body.Reread() // past the limit the body ends there: the body limit answers 413
	if err != nil || int64(len(data)) > SmallBodyLimit {
		return ""
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(data))
	var fields struct {
		Identity string `form:"identity" json:"identity"`
		OTPId    string `form:"otpId" json:"otpId"`
		Email    string `form:"email" json:"email"`
	}
	if err := (&router.Event{Request: clone}).BindBody(&fields); err != nil {
		return ""
	}
	switch name {
	case "identity":
		return strings.ToLower(fields.Identity)
	case "otpId":
		return strings.ToLower(fields.OTPId)
	case "email":
		return strings.ToLower(fields.Email)
	}
	return ""
}

// identityAddress is the made-up address a login or an e-mail request
// naming identity from the client bucket counts by: in fd00::/8, the rest
// from a hash of both. PocketBase keeps a limiter per rule and route, so it
// cannot meet an account's address on the sync routes.
func identityAddress(bucket, identity string) netip.Addr {
	sum := sha256.Sum256([]byte("identity\x00" + bucket + "\x00" + identity))
	var b [16]byte
	b[0] = 0xfd
	copy(b[1:], sum[:15])
	return netip.AddrFrom16(b)
}

// addressBounds are an app's bounds per address, and its failed logins
// per account.
type addressBounds struct {
	login, email *addressBound
	accounts     *accountGuard
}

// setBounds gives app its bounds, from limits.
func setBounds(app core.App, limits Limits) {
	app.Store().Set(boundsKey, &addressBounds{
		login: newAddressBound(limits.LoginsPerAddress.Max, limits.LoginsPerAddress.Window, boundCapacity),
		email: newAddressBound(limits.EmailRequestsPerAddress.Max, limits.EmailRequestsPerAddress.Window, boundCapacity),
		accounts: &accountGuard{
			failures: newAddressBound(limits.FailedLoginsPerAccount.Max, limits.FailedLoginsPerAccount.Window, boundCapacity),
			known:    newKnownAddresses(app, limits.KnownAddressFor, boundCapacity),
			logger:   app.Logger,
		},
	})
}

func boundsOf(app core.App) *addressBounds {
	return app.Store().Get(boundsKey).(*addressBounds)
}

// addressBound counts requests per client in fixed windows, in memory, for
// at most capacity clients.
type addressBound struct {
	max      int
	window   time.Duration
	capacity int

	mu     sync.Mutex
	counts map[string]*boundWindow
}

type boundWindow struct {
	start time.Time
	n     int
}

func newAddressBound(max int, window time.Duration, capacity int) *addressBound {
	return &addressBound{max: max, window: window, capacity: capacity, counts: map[string]*boundWindow{}}
}

// allow counts one request of client at now and tells whether it is within
// the bound.
func (b *addressBound) allow(client string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.current(client, now)
	if w.n >= b.max {
		return false
	}
	w.n++
	return true
}

// add counts one request of client at now, up to the bound, and tells
// whether it was the one that reached the bound.
func (b *addressBound) add(client string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w := b.current(client, now); w.n < b.max {
		w.n++
		return w.n == b.max
	}
	return false
}

// full tells how long client's window still runs when it holds the
// bound's count, else 0.
func (b *addressBound) full(client string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	w, ok := b.counts[client]
	if !ok || w.n < b.max || now.Sub(w.start) >= b.window {
		return 0
	}
	return b.window - now.Sub(w.start)
}

// current is client's window at now, a new one when it had none or its
// last one ended. b.mu is held.
func (b *addressBound) current(client string, now time.Time) *boundWindow {
	w, ok := b.counts[client]
	if !ok {
		if len(b.counts) >= b.capacity {
			b.evict(now)
		}
		w = &boundWindow{start: now}
		b.counts[client] = w
	} else if now.Sub(w.start) >= b.window {
		w.start, w.n = now, 0
	}
	return w
}

// evict drops the expired windows and, while more than nine tenths of
// capacity remain, arbitrary ones that have not reached the bound, then
// any, so that a sweep happens at most once per capacity/10 new clients.
// A full window goes last: a flood of new clients (accounts named at
// random, say) must not give a client at its bound (an account whose
// failed logins ran out) a new window.
func (b *addressBound) evict(now time.Time) {
	for k, w := range b.counts {
		if now.Sub(w.start) >= b.window {
			delete(b.counts, k)
		}
	}
	for _, keepFull := range []bool{true, false} {
		for k, w := range b.counts {
			if len(b.counts) <= b.capacity*9/10 {
				return
			}
			if !keepFull || w.n < b.max {
				delete(b.counts, k)
			}
		}
	}
}

// check is the restore middleware's part: a refused request gets
// PocketBase's usual rate-limit answer with the time left of the bound's
// window as its Retry-After (the mask middleware gives it a code, see
// explainRefusal), or for an account whose failed logins ran out,
// login_account_locked with the time left of the lock. A login the account refuses does
// not count against the address's bound.
func (c boundCheck) check(e *core.RequestEvent) error {
	now := time.Now()
	if c.guard != nil {
		if wait := c.guard.refuses(c.account, c.bucket, now); wait > 0 {
			SetRetryAfter(e.Response.Header(), wait)
			return ErrAccountLocked()
		}
	}
	if c.bound.allow(c.bucket, now) {
		return nil
	}
	SetRetryAfter(e.Response.Header(), c.bound.full(c.bucket, now))
	return e.TooManyRequestsError("", errors.New("triggered the per-address bound of logins or e-mail requests"))
}
