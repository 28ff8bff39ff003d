package security_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/security"
)

// botnet sends n wrong passwords for identity, 3 from each address of
// 203.0.113.0/24 (under the 10 per 30 s per address and account), as a
// botnet spreads its guesses, and expects each to reach the handler (400).
func (c client) botnet(t testing.TB, n int, identity string) {
	t.Helper()
	for i := range n {
		addr := fmt.Sprintf("203.0.113.%d:4000", 1+i/3)
		if rec := c(http.MethodPost, loginURL, login(identity, "guess"), addr); rec.Code != http.StatusBadRequest {
			t.Fatalf("guess %d from %s: status %d, want 400: %s", i, addr, rec.Code, rec.Body)
		}
	}
}

// signIn expects a password login of identity from addr to succeed.
func (c client) signIn(t testing.TB, identity, addr string) {
	t.Helper()
	if rec := c(http.MethodPost, loginURL, login(identity, fixtures.Password), addr); rec.Code != http.StatusOK {
		t.Fatalf("%s from %s: status %d, want 200: %s", identity, addr, rec.Code, rec.Body)
	}
}

// TestRateLimit_FailedLoginsPerAccount: per address an account's password
// gets 10 guesses per 30 s, so a botnet of many addresses would guess at a
// coordinator's password without bound. An account has a budget of failed
// password logins across addresses (security.FailedLoginsPerAccount per
// 15 minutes); once spent, a login to it from an address that never signed
// in to it is refused (429 login_account_locked), the right password too,
// while an address that signed in to it before (the owner's office, their
// village's carrier NAT) still gets through. Only the handler's outcomes
// count: logins the limiter refused, other accounts' and excluded
// addresses' failures do not.
func TestRateLimit_FailedLoginsPerAccount(t *testing.T) {
	const known = "192.0.2.1:5000" // the scenario's own address, another port
	var scenarios []tests.ApiScenario
	for _, id := range []string{fixtures.Volunteer, fixtures.Coordinator, fixtures.Editor} {
		email := id + "@example.org"
		right := login(email, fixtures.Password)
		scenarios = append(scenarios,
			tests.ApiScenario{
				Name:   id + ": past the budget, a new address is refused, with the right password too, in the caller's language",
				Method: http.MethodPost, URL: loginURL + "?lang=ru", Body: strings.NewReader(right),
				TestAppFactory: fixtures.Factory,
				BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
					newClient(t, e).botnet(t, security.FailedLoginsPerAccount, strings.ToUpper(email))
				},
				ExpectedStatus: http.StatusTooManyRequests,
				ExpectedContent: []string{`"status":429`, `"code":"` + security.CodeAccountLocked + `"`,
					`"message":"Слишком много неудачных попыток входа в эту учётную запись. Войдите из сети, из которой уже входили в неё, или повторите попытку позже.","status":429`},
				NotExpectedContent: []string{`"token"`},
				ExpectedEvents:     map[string]int{"*": 0},
				AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
					wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
					if err != nil || wait < 1 || wait > int(security.FailedLoginWindow/time.Second) {
						t.Errorf("Retry-After %q, want the seconds left of the window", res.Header.Get("Retry-After"))
					}
				},
			},
			tests.ApiScenario{
				Name:   id + ": past the budget, an address that signed in to the account before still signs in",
				Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(right),
				TestAppFactory: fixtures.Factory,
				BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
					c := newClient(t, e)
					c.signIn(t, email, known)
					c.signIn(t, email, "[2001:db8:7:7::1]:4000")
					c.botnet(t, security.FailedLoginsPerAccount, email)
					// a mistyped password from a known address is a plain 400
					expectAll(t, c.tries(1, http.MethodPost, loginURL, login(email, "typo"), known), http.StatusBadRequest)
					// another address of the same IPv6 /64 is the same client
					c.signIn(t, email, "[2001:db8:7:7::beef]:4000")
					expectAll(t, c.tries(1, http.MethodPost, loginURL, right, "[2001:db8:7:8::1]:4000"), http.StatusTooManyRequests)
				},
				ExpectedStatus:  http.StatusOK,
				ExpectedContent: []string{`"token":"`, `"id":"` + id + `"`},
				ExpectedEvents:  map[string]int{"OnRecordAuthWithPasswordRequest": 1},
			},
		)
	}
	// signsIn: after before, identity signs in from the scenario's address,
	// new to the account
	signsIn := func(name, identity string, before func(t testing.TB, c client)) tests.ApiScenario {
		return tests.ApiScenario{
			Name:   name,
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(login(identity, fixtures.Password)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				before(t, newClient(t, e))
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"token":"`},
		}
	}
	scenarios = append(scenarios,
		signsIn("one failure short of the budget, a new address signs in", emailA, func(t testing.TB, c client) {
			c.botnet(t, security.FailedLoginsPerAccount-1, emailA)
		}),
		signsIn("another account's budget is its own: B signs in from a new address while A is locked", emailB, func(t testing.TB, c client) {
			c.botnet(t, security.FailedLoginsPerAccount, emailA)
			expectAll(t, c.tries(1, http.MethodPost, loginURL, login(emailA, fixtures.Password), "198.51.100.9:4000"), http.StatusTooManyRequests)
		}),
		signsIn("logins the limiter refused are no failures: apps retrying A in a loop from two addresses do not lock it", emailA, func(t testing.TB, c client) {
			for _, addr := range []string{"198.51.100.1:4000", "198.51.100.2:4000"} { // 20 failures, 180 refused
				codes := c.tries(100, http.MethodPost, loginURL, login(emailA, "old-password"), addr)
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			}
		}),
		tests.ApiScenario{
			Name:   "an excluded address is not refused, and its failures do not count",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(login(emailA, fixtures.Password)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.Settings().RateLimits.ExcludedIPs = []string{"10.0.0.0/8"}
				c := newClient(t, e)
				expectAll(t, c.tries(2*security.FailedLoginsPerAccount, http.MethodPost, loginURL, login(emailA, "guess"), "10.1.2.3:4000"), http.StatusBadRequest)
				c.botnet(t, security.FailedLoginsPerAccount-1, emailA) // one short of the budget
				c.signIn(t, emailA, "198.51.100.9:4000")
				c.botnet(t, 1, emailA)
				c.signIn(t, emailA, "10.9.9.9:4000")
			},
			ExpectedStatus: http.StatusTooManyRequests,
			ExpectedContent: []string{`"code":"` + security.CodeAccountLocked + `"`,
				`"message":"There were too many failed sign-ins to this account. Sign in from a network you signed in to it from before, or try again later.","status":429`},
		},
	)
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestRateLimit_FailedLoginsSetting: the budget is a setting
// (AMAN_FAILED_LOGINS_PER_ACCOUNT, a count and a window); when its window
// ends, a new address signs in again.
func TestRateLimit_FailedLoginsSetting(t *testing.T) {
	t.Setenv(security.EnvFailedLoginsPerAccount, "4/2s")
	s := tests.ApiScenario{
		Name:   "4 failures lock A for 2 s",
		Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(login(emailA, fixtures.Password)),
		TestAppFactory: fixtures.Factory,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			c := newClient(t, e)
			c.botnet(t, 4, emailA)
			start := time.Now()
			expectAll(t, c.tries(1, http.MethodPost, loginURL, login(emailA, fixtures.Password), "198.51.100.9:4000"), http.StatusTooManyRequests)
			time.Sleep(2*time.Second - time.Since(start) + 100*time.Millisecond)
		},
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{`"token":"`},
	}
	s.Test(t)
}
