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
	"aman/security"
)

// client sends requests through the app's router (built once) from an
// address, with header pairs.
type client func(method, url, body, remoteAddr string, headers ...string) *httptest.ResponseRecorder

func newClient(t testing.TB, e *core.ServeEvent) client {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	return func(method, url, body, remoteAddr string, headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		req.RemoteAddr = remoteAddr
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
}

// login is a password login body for identity.
func login(identity, password string) string {
	return fmt.Sprintf(`{"identity":%q,"password":%q}`, identity, password)
}

// tries sends n requests and returns their statuses.
func (c client) tries(n int, method, url, body, remoteAddr string, headers ...string) []int {
	codes := make([]int, n)
	for i := range codes {
		codes[i] = c(method, url, body, remoteAddr, headers...).Code
	}
	return codes
}

// enableOTP turns OTP logins on for users: off in Aman, and the limits
// hold all the same.
func enableOTP(t testing.TB, app core.App) {
	t.Helper()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	users.OTP.Enabled = true
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
}

var (
	emailA = fixtures.Volunteer + "@example.org"
	emailB = fixtures.Volunteer2 + "@example.org"
)

// TestRateLimit_LoginPerAccount: the phones of a village share one carrier
// NAT address, so the `*:auth` rule (10 per 30 s) counts a login by its
// address and the account it names: one person's 10 wrong passwords, or an
// app retrying in a loop, lock out that account from that address only,
// and everyone else behind the NAT still signs in. An address's logins
// across accounts are bounded (security.LoginAttemptsPerAddress per 30 s),
// so guesses sprayed over many accounts stay bounded; superusers' own
// logins stay counted by address; excluded addresses stay excluded.
func TestRateLimit_LoginPerAccount(t *testing.T) {
	wrongA := login(emailA, "wrong-password")
	rightB := login(emailB, fixtures.Password)
	const nat = "192.0.2.1:4000" // scenarioIP's address, another port
	scenarios := []tests.ApiScenario{
		{
			Name:   "B signs in from the same address, the body read by the handler",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(rightB),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				codes := newClient(t, e).tries(11, http.MethodPost, loginURL, wrongA, nat)
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"token":"`, `"id":"` + fixtures.Volunteer2 + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAuthWithPasswordRequest": 1},
		},
		{
			Name:   "the 11th login for A from the NAT address is refused, with the right password too",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(login(emailA, fixtures.Password)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				expectAll(t, newClient(t, e).tries(10, http.MethodPost, loginURL, wrongA, nat), http.StatusBadRequest)
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "the identity counts in any case, and under any spelling of its field name or body type",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(login(strings.ToUpper(emailA), "wrong-password")),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				expectAll(t, c.tries(3, http.MethodPost, loginURL, wrongA, nat), http.StatusBadRequest)
				expectAll(t, c.tries(3, http.MethodPost, loginURL, login("Volunteer000001@Example.ORG", "x"), nat), http.StatusBadRequest)
				expectAll(t, c.tries(2, http.MethodPost, loginURL, `{"IDENTITY":"`+emailA+`","password":"x"}`, nat), http.StatusBadRequest)
				form := "identity=" + strings.ToUpper(emailA) + "&password=x"
				expectAll(t, c.tries(2, http.MethodPost, loginURL, form, nat, "Content-Type", "application/x-www-form-urlencoded"), http.StatusBadRequest)
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "IPv6: A's guesses count by the /64, B signs in from the same /64",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(rightB),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range 10 {
					if code := c(http.MethodPost, loginURL, wrongA, fmt.Sprintf("[2001:db8:5:6::%x]:4000", i+1)).Code; code != http.StatusBadRequest {
						t.Fatalf("guess %d: status %d", i, code)
					}
				}
				if code := c(http.MethodPost, loginURL, wrongA, "[2001:db8:5:6:ffff::1]:4000").Code; code != http.StatusTooManyRequests {
					t.Fatalf("11th guess from the /64: status %d, want 429", code)
				}
				if code := c(http.MethodPost, loginURL, wrongA, "[2001:db8:5:7::1]:4000").Code; code != http.StatusBadRequest {
					t.Fatalf("a guess from another /64: status %d, want 400", code)
				}
				if rec := c(http.MethodPost, loginURL, rightB, "[2001:db8:5:6::beef]:4000"); rec.Code != http.StatusOK {
					t.Fatalf("B from the /64: status %d, want 200: %s", rec.Code, rec.Body)
				}
			},
			// the scenario itself comes from 192.0.2.1
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"token":"`},
		},
		{
			Name:   "behind a trusted proxy: by the header's address and the account",
			Method: http.MethodGet, URL: "/api/health",
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.Settings().TrustedProxy.Headers = []string{"X-Real-IP"}
				c := newClient(t, e)
				codes := c.tries(11, http.MethodPost, loginURL, wrongA, "127.0.0.1:5000", "X-Real-IP", "203.0.113.9")
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
				if rec := c(http.MethodPost, loginURL, rightB, "127.0.0.1:5000", "X-Real-IP", "203.0.113.9"); rec.Code != http.StatusOK {
					t.Fatalf("B behind the proxy: status %d, want 200: %s", rec.Code, rec.Body)
				}
				// another client of the proxy has its own count for A
				expectAll(t, c.tries(1, http.MethodPost, loginURL, wrongA, "127.0.0.1:5000", "X-Real-IP", "203.0.113.10"), http.StatusBadRequest)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"code":200`},
		},
		{
			Name:   "the address's bound trips across many accounts, for the right password too",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(rightB),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range security.LoginAttemptsPerAddress {
					body := login(fmt.Sprintf("person%d@example.org", i/5), "guess")
					if code := c(http.MethodPost, loginURL, body, nat).Code; code != http.StatusBadRequest {
						t.Fatalf("guess %d: status %d, want 400", i, code)
					}
				}
				if rec := c(http.MethodPost, loginURL, login("fresh@example.org", "guess"), nat); rec.Code != http.StatusTooManyRequests ||
					!strings.Contains(rec.Body.String(), tooManyAttempts) {
					t.Fatalf("past the bound: status %d, want 429: %s", rec.Code, rec.Body)
				}
				// another address keeps its own bound
				expectAll(t, c.tries(1, http.MethodPost, loginURL, wrongA, "198.51.100.7:4000"), http.StatusBadRequest)
			},
			ExpectedStatus:     http.StatusTooManyRequests,
			ExpectedContent:    []string{`"status":429`, tooManyAttempts, tooManyAttemptsOnTop},
			NotExpectedContent: []string{"Too Many Requests."},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:   "an app retrying A's login in a loop spends none of the address's bound",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(rightB),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				codes := newClient(t, e).tries(2*security.LoginAttemptsPerAddress, http.MethodPost, loginURL, wrongA, nat)
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"token":"`},
		},
		{
			Name:   "an excluded address is limited neither per account nor by the bound",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(rightB),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				app.Settings().RateLimits.ExcludedIPs = []string{"192.0.2.0/24"}
				c := newClient(t, e)
				expectAll(t, c.tries(15, http.MethodPost, loginURL, wrongA, nat), http.StatusBadRequest)
				for i := range security.LoginAttemptsPerAddress + 5 {
					body := login(fmt.Sprintf("person%d@example.org", i), "guess")
					if code := c(http.MethodPost, loginURL, body, nat).Code; code != http.StatusBadRequest {
						t.Fatalf("guess %d from an excluded address: status %d, want 400", i, code)
					}
				}
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"token":"`},
		},
		{
			Name:   "superusers' own logins stay counted by address: the 6th in a minute, another account, is refused",
			Method: http.MethodPost, URL: "/api/collections/_superusers/auth-with-password",
			Body:           strings.NewReader(login("super@example.org", fixtures.Password)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range 5 {
					body := login(fmt.Sprintf("admin%d@example.org", i), "guess")
					if code := c(http.MethodPost, "/api/collections/_superusers/auth-with-password", body, nat).Code; code != http.StatusBadRequest {
						t.Fatalf("superuser guess %d: status %d", i, code)
					}
				}
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "OTP logins count by the otpId: 10 wrong codes for one OTP leave another alone",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-otp",
			Body:           strings.NewReader(`{"otpId":"otherotp0000001","password":"12345678"}`),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				enableOTP(t, app)
				codes := newClient(t, e).tries(11, http.MethodPost, "/api/collections/users/auth-with-otp", `{"otpId":"someotp00000001","password":"00000000"}`, nat)
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
		},
		{
			Name:   "OAuth2 logins name no identity: still counted by address",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-oauth2",
			Body:           strings.NewReader(`{"provider":"google","code":"c","codeVerifier":"v","redirectURL":"https://x"}`),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range 10 {
					body := fmt.Sprintf(`{"provider":"google","code":"c%d","codeVerifier":"v","redirectURL":"https://x"}`, i)
					if code := c(http.MethodPost, "/api/collections/users/auth-with-oauth2", body, nat).Code; code == http.StatusTooManyRequests {
						t.Fatalf("OAuth2 login %d refused", i)
					}
				}
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// The 429 of a password login refused for the logins from its address
// said only "Too Many Requests.", whether PocketBase's `*:auth` rule
// (per address and account) or the address's bound refused it: it is
// login_too_many_attempts on identity, its reason on top, localized.
const (
	tooManyAttemptsEn    = "There were too many sign-in attempts from your network. Wait a little and try again."
	tooManyAttempts      = `"identity":{"code":"login_too_many_attempts","message":"` + tooManyAttemptsEn + `"}`
	tooManyAttemptsOnTop = `"message":"` + tooManyAttemptsEn + `","status":429`
	tooManyAttemptsRu    = "Из вашей сети было слишком много попыток входа. Подождите немного и повторите попытку."
)

func TestRateLimit_LoginTooManyAttempts(t *testing.T) {
	wrongA := login(emailA, "wrong-password")
	const nat = "192.0.2.1:4000"
	tenWrong := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		expectAll(t, newClient(t, e).tries(10, http.MethodPost, loginURL, wrongA, nat), http.StatusBadRequest)
	}
	scenarios := []tests.ApiScenario{
		{
			Name:   "PocketBase's rule refuses the 11th login to A: coded, its reason on top",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(wrongA),
			TestAppFactory:     fixtures.Factory,
			BeforeTestFunc:     tenWrong,
			ExpectedStatus:     http.StatusTooManyRequests,
			ExpectedContent:    []string{tooManyAttempts, tooManyAttemptsOnTop},
			NotExpectedContent: []string{"Too Many Requests."},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:   "localized",
			Method: http.MethodPost, URL: loginURL, Body: strings.NewReader(wrongA),
			Headers:        map[string]string{"Accept-Language": "ru"},
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: tenWrong,
			ExpectedStatus: http.StatusTooManyRequests,
			ExpectedContent: []string{
				`"identity":{"code":"login_too_many_attempts","message":"` + tooManyAttemptsRu + `"}`,
				`"message":"` + tooManyAttemptsRu + `","status":429`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		},
		{
			Name:   "the address's bound, localized",
			Method: http.MethodPost, URL: loginURL + "?lang=ru", Body: strings.NewReader(login("fresh@example.org", "guess")),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range security.LoginAttemptsPerAddress {
					c(http.MethodPost, loginURL, login(fmt.Sprintf("person%d@example.org", i/5), "guess"), nat)
				}
			},
			ExpectedStatus: http.StatusTooManyRequests,
			ExpectedContent: []string{
				`"identity":{"code":"login_too_many_attempts","message":"` + tooManyAttemptsRu + `"}`,
				`"message":"` + tooManyAttemptsRu + `","status":429`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		},
		{
			Name:   "other routes say rate_limited: an OTP login",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-otp",
			Body:           strings.NewReader(`{"otpId":"someotp00000001","password":"00000000"}`),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				enableOTP(t, app)
				newClient(t, e).tries(10, http.MethodPost, "/api/collections/users/auth-with-otp", `{"otpId":"someotp00000001","password":"00000000"}`, nat)
			},
			ExpectedStatus:     http.StatusTooManyRequests,
			ExpectedContent:    []string{rateLimited, `"message":"` + rateLimitedEn + `","status":429`},
			NotExpectedContent: []string{"login_too_many_attempts", "Too Many Requests."},
		},
		{
			Name:   "other routes say rate_limited: a superuser's login",
			Method: http.MethodPost, URL: "/api/collections/_superusers/auth-with-password",
			Body:           strings.NewReader(login("super@example.org", fixtures.Password)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				newClient(t, e).tries(5, http.MethodPost, "/api/collections/_superusers/auth-with-password", login("admin@example.org", "guess"), nat)
			},
			ExpectedStatus:     http.StatusTooManyRequests,
			ExpectedContent:    []string{rateLimited, `"message":"` + rateLimitedEn + `","status":429`},
			NotExpectedContent: []string{"login_too_many_attempts", "Too Many Requests."},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestRateLimit_EmailRequestsPerAccount: the password-reset, OTP and
// verification requests send e-mail, 5 per 60 s each. They count by address and e-mail, for
// the same reason as logins: one person asking for their reset five times
// does not keep the village from asking for theirs. The address's requests
// across e-mails are bounded (security.EmailRequestsPerAddress per 60 s).
func TestRateLimit_EmailRequestsPerAccount(t *testing.T) {
	const reset = "/api/collections/users/request-password-reset"
	const otp = "/api/collections/users/request-otp"
	const verify = "/api/collections/users/request-verification"
	const nat = "192.0.2.1:4000"
	bodyOf := func(email string) string { return `{"email":"` + email + `"}` }
	// the 6th request for A from the NAT address is refused, B's goes through
	sixthRefused := func(name, url, event string) tests.ApiScenario {
		return tests.ApiScenario{
			Name:   name + ": the 6th for A is refused, B's goes through from the same address",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(bodyOf(emailB)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				expectAll(t, c.tries(3, http.MethodPost, url, bodyOf(emailA), nat), http.StatusNoContent)
				expectAll(t, c.tries(2, http.MethodPost, url, bodyOf(strings.ToUpper(emailA)), nat), http.StatusNoContent)
				expectAll(t, c.tries(1, http.MethodPost, url, bodyOf(emailA), nat), http.StatusTooManyRequests)
			},
			ExpectedStatus: http.StatusNoContent,
			ExpectedEvents: map[string]int{event: 1},
		}
	}
	scenarios := []tests.ApiScenario{
		sixthRefused("password reset", reset, "OnRecordRequestPasswordResetRequest"),
		sixthRefused("verification request", verify, "OnRecordRequestVerificationRequest"),
		{
			Name:   "OTP request: the 6th for A is refused, B's is not",
			Method: http.MethodPost, URL: otp, Body: strings.NewReader(bodyOf(emailB)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				enableOTP(t, app)
				codes := newClient(t, e).tries(6, http.MethodPost, otp, bodyOf(emailA), nat)
				expectAll(t, codes[:5], http.StatusOK)
				expectAll(t, codes[5:], http.StatusTooManyRequests)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"otpId":"`},
		},
		{
			Name:   "the address's bound trips across many e-mails",
			Method: http.MethodPost, URL: reset, Body: strings.NewReader(bodyOf(emailB)),
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				c := newClient(t, e)
				for i := range security.EmailRequestsPerAddress {
					url := []string{reset, verify}[i%2] // verification requests count too
					if code := c(http.MethodPost, url, bodyOf(fmt.Sprintf("person%d@example.org", i/4)), nat).Code; code != http.StatusNoContent {
						t.Fatalf("request %d: status %d", i, code)
					}
				}
				expectAll(t, c.tries(1, http.MethodPost, reset, bodyOf(emailB), "198.51.100.7:4000"), http.StatusNoContent)
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
