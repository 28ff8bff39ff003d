package security_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// send sends one request through the app's router from remoteAddr with the
// given header pairs, and returns the answer.
func send(t testing.TB, e *core.ServeEvent, method, url, body, remoteAddr string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	return newClient(t, e)(method, url, body, remoteAddr, headers...)
}

// guesses sends n wrong logins, each from the next address of one /64
// (2001:db8:1:<net>::1, ::2, ...), directly or through a proxy's header,
// and returns the statuses.
func guesses(t testing.TB, e *core.ServeEvent, n, net int, viaHeader string) []int {
	const url, body = loginURL, wrongLogin
	codes := make([]int, n)
	for i := range codes {
		addr := fmt.Sprintf("2001:db8:1:%x::%x", net, i+1)
		var rec *httptest.ResponseRecorder
		if viaHeader != "" {
			rec = send(t, e, http.MethodPost, url, body, "127.0.0.1:5000", viaHeader, addr)
		} else {
			rec = send(t, e, http.MethodPost, url, body, "["+addr+"]:4000")
		}
		codes[i] = rec.Code
	}
	return codes
}

// TestRateLimit_IPv6Prefix: an IPv6 subscriber picks any address of its
// /64 at will, so PocketBase's per-IP limits count a /64 as one client:
// the login rule (10 in 30 s) holds against guesses spread over a /64,
// directly or behind a trusted proxy, while other /64s, IPv4 clients and
// excluded addresses keep their own counts, and everything after the
// limiter sees the client's real address.
func TestRateLimit_IPv6Prefix(t *testing.T) {
	const url, body = loginURL, wrongLogin
	scenarios := []tests.ApiScenario{
		{
			Name:   "the 11th guess from another address of the /64 is refused; an IPv4 client is not",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(body),
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				codes := guesses(t, e, 11, 2, "")
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
				expectAll(t, guesses(t, e, 1, 3, ""), http.StatusBadRequest) // another /64
			},
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
		},
		{
			Name:   "behind a trusted proxy too",
			Method: http.MethodGet, URL: "/api/health",
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.Settings().TrustedProxy.Headers = []string{"X-Real-IP"}
				codes := guesses(t, e, 11, 2, "X-Real-IP")
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"code":200`},
		},
		{
			Name:   "an excluded address stays excluded, and the handler sees the real address",
			Method: http.MethodGet, URL: "/api/health",
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.Settings().RateLimits.ExcludedIPs = []string{"2001:db8:1:2::7"}
				for range 15 {
					if rec := send(t, e, http.MethodPost, url, body, "[2001:db8:1:2::7]:4000"); rec.Code != http.StatusBadRequest {
						t.Fatalf("excluded address: status %d", rec.Code)
					}
				}
				e.Router.GET("/test/real-ip", func(e *core.RequestEvent) error {
					return e.String(http.StatusOK, e.RealIP()+" "+e.Request.RemoteAddr)
				})
				rec := send(t, e, http.MethodGet, "/test/real-ip", "", "[2001:db8:1:2::abcd]:4000")
				if want := "2001:0db8:0001:0002:0000:0000:0000:abcd [2001:db8:1:2::abcd]:4000"; rec.Body.String() != want {
					t.Fatalf("the handler sees %q, want %q", rec.Body.String(), want)
				}
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"code":200`},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestRateLimit_SyncPerAccount: the phones of a village share one carrier
// NAT address, so on the sync routes a signed-in request counts by its
// account: one volunteer's 1,200 pushes in a minute from the NAT address
// leave another volunteer's push there alone, and an account's pushes
// count together from whichever address they come. Logins stay counted by
// address (TestRateLimit_Login).
func TestRateLimit_SyncPerAccount(t *testing.T) {
	const url = "/api/sync/v1/push"
	const body = `{"client":"device-of-the-flooder","mutations":[]}`
	// flood sends n empty pushes signed in as `as` from addr.
	flood := func(t testing.TB, app core.App, e *core.ServeEvent, as, addr string, n int) []int {
		token, err := fixtures.Auth(app, as)
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]int, n)
		for i := range codes {
			codes[i] = send(t, e, http.MethodPost, url, body, addr, "Authorization", token).Code
		}
		return codes
	}
	scenarios := []tests.ApiScenario{
		fixtures.Scenario(fixtures.Volunteer2, tests.ApiScenario{
			Name:   "another volunteer behind the same NAT address still pushes",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(`{"client":"device-of-volunteer2","mutations":[]}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				codes := flood(t, app, e, fixtures.Volunteer, "192.0.2.1:4000", 1201)
				expectAll(t, codes[:1200], http.StatusOK)
				expectAll(t, codes[1200:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"results":[]`},
		}),
		fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
			Name:   "an account's pushes count together from another address",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(body),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				expectAll(t, flood(t, app, e, fixtures.Volunteer, "198.51.100.7:4000", 1200), http.StatusOK)
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
		}),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
