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

// expectRetryAfter checks that an answer tells its client when to come
// back: Retry-After in whole seconds, at least 1, at most window.
func expectRetryAfter(t testing.TB, h http.Header, window time.Duration) {
	t.Helper()
	v := h.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || time.Duration(n)*time.Second > window {
		t.Errorf("Retry-After %q, want whole seconds from 1 to %v", v, window)
	}
}

// lowerRule sets the maxRequests of the rate-limit rule labelled label,
// so that a test reaches it in a few requests; its window stays.
func lowerRule(t testing.TB, app core.App, label string, max int) {
	t.Helper()
	rules := app.Settings().RateLimits.Rules
	for i := range rules {
		if rules[i].Label == label {
			rules[i].MaxRequests = max
			return
		}
	}
	t.Fatalf("no rate-limit rule %q", label)
}

const (
	rateLimitedEn = "There were too many requests. Wait a little and try again."
	rateLimitedRu = "Было слишком много запросов. Подождите немного и повторите попытку."
	rateLimited   = `"request":{"code":"rate_limited","message":"` + rateLimitedEn + `"}`
)

// TestRateLimit_Coded: every refusal for too many requests, by
// PocketBase's limiter (any rule) or by an address's bound, says why with
// a code of ours (rate_limited on data.request, its reason on top,
// localized; a password login's is login_too_many_attempts) and when to
// come back (Retry-After: the seconds left of the bound's window, or at
// most the limiter rule's window). PocketBase's own answer was a bare
// "Too Many Requests." with empty data and no Retry-After.
func TestRateLimit_Coded(t *testing.T) {
	const nat = "192.0.2.1:4000" // the scenario's own address, another port
	const (
		otpLogin = "/api/collections/users/auth-with-otp"
		oauth2   = "/api/collections/users/auth-with-oauth2"
		reqOTP   = "/api/collections/users/request-otp"
		reset    = "/api/collections/users/request-password-reset"
		verify   = "/api/collections/users/request-verification"
		change   = "/api/collections/users/request-email-change"
		super    = "/api/collections/_superusers/auth-with-password"
		push     = "/api/sync/v1/push"
		pull     = "/api/sync/v1/pull"
		batch    = "/api/batch"
		records  = "/api/collections/incident_reports/records"
	)
	otpBody := `{"otpId":"someotp00000001","password":"00000000"}`
	oauth2Body := `{"provider":"google","code":"c","codeVerifier":"v","redirectURL":"https://x"}`
	emailBody := `{"email":"` + emailA + `"}`
	pushBody := `{"client":"device-of-the-flooder","mutations":[]}`
	type source struct {
		name        string
		as          string // who sends them all ("": anonymous)
		setup       func(testing.TB, core.App)
		method, url string
		body        string
		before      int              // requests that pass first
		beforeBody  func(int) string // else body
		window      time.Duration    // the refusal's window
		want        []string
		lang        string
	}
	lower := func(label string, max int) func(testing.TB, core.App) {
		return func(t testing.TB, app core.App) { lowerRule(t, app, label, max) }
	}
	otpOn := func(t testing.TB, app core.App) { enableOTP(t, app) }
	sources := []source{
		{name: "OTP login (*:auth)", setup: otpOn, method: http.MethodPost, url: otpLogin, body: otpBody, before: 10, window: 30 * time.Second},
		{name: "OAuth2 login (*:auth)", method: http.MethodPost, url: oauth2, body: oauth2Body, before: 10, window: 30 * time.Second},
		{name: "OTP request (*:requestOTP)", setup: otpOn, method: http.MethodPost, url: reqOTP, body: emailBody, before: 5, window: time.Minute},
		{name: "password reset request (*:requestPasswordReset)", method: http.MethodPost, url: reset, body: emailBody, before: 5, window: time.Minute},
		{name: "verification request (*:requestVerification), localized", method: http.MethodPost, url: verify, body: emailBody, before: 5, window: time.Minute, lang: "ru",
			want: []string{`"request":{"code":"rate_limited","message":"` + rateLimitedRu + `"}`, `"message":"` + rateLimitedRu + `","status":429`}},
		{name: "e-mail change request (*:requestEmailChange)", as: fixtures.Volunteer, method: http.MethodPost, url: change, body: `{"newEmail":"new@example.org"}`, before: 5, window: time.Minute},
		{name: "a superuser's login (_superusers:auth)", method: http.MethodPost, url: super, body: login("super@example.org", "guess"), before: 5, window: time.Minute},
		{name: "sync push (signed in, per account)", as: fixtures.Volunteer, setup: lower("POST "+push, 2), method: http.MethodPost, url: push, body: pushBody, before: 2, window: time.Minute},
		{name: "sync pull (anonymous)", setup: lower("GET "+pull, 2), method: http.MethodGet, url: pull, before: 2, window: time.Minute},
		{name: "a list (/api/)", as: fixtures.Volunteer, setup: lower("/api/", 2), method: http.MethodGet, url: records, before: 2, window: 10 * time.Second},
		{name: "batch", as: fixtures.Volunteer, setup: lower(batch, 2), method: http.MethodPost, url: batch, body: `{"requests":[]}`, before: 2, window: time.Minute},
		{name: "REST create (*:create)", as: fixtures.Volunteer, setup: lower("*:create", 2), method: http.MethodPost, url: records, body: `{}`, before: 2, window: 10 * time.Second},
		{name: "the address's bound of e-mail requests", method: http.MethodPost, url: reset, body: `{"email":"fresh@example.org"}`,
			before: security.EmailRequestsPerAddress, beforeBody: func(i int) string { return fmt.Sprintf(`{"email":"person%d@example.org"}`, i/4) },
			window: security.EmailWindow},
		{name: "a password login (*:auth): login_too_many_attempts", method: http.MethodPost, url: loginURL, body: login(emailA, "wrong"), before: 10,
			window: 30 * time.Second, want: []string{tooManyAttempts, tooManyAttemptsOnTop}},
		{name: "the address's bound of logins: login_too_many_attempts", method: http.MethodPost, url: loginURL, body: login("fresh@example.org", "guess"),
			before: security.LoginAttemptsPerAddress, beforeBody: func(i int) string { return login(fmt.Sprintf("person%d@example.org", i/5), "guess") },
			window: security.LoginWindow, want: []string{tooManyAttempts, tooManyAttemptsOnTop}},
	}
	for _, s := range sources {
		want := s.want
		if want == nil {
			want = []string{rateLimited, `"message":"` + rateLimitedEn + `","status":429`}
		}
		headers := map[string]string{}
		if s.lang != "" {
			headers["Accept-Language"] = s.lang
		}
		scenario := tests.ApiScenario{
			Name:   s.name,
			Method: s.method, URL: s.url, Body: strings.NewReader(s.body),
			Headers:        headers,
			TestAppFactory: fixtures.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				if s.setup != nil {
					s.setup(t, app)
				}
				var auth []string
				if s.as != "" {
					token, err := fixtures.Auth(app, s.as)
					if err != nil {
						t.Fatal(err)
					}
					auth = []string{"Authorization", token}
					headers["Authorization"] = token
				}
				c := newClient(t, e)
				for i := range s.before {
					body := s.body
					if s.beforeBody != nil {
						body = s.beforeBody(i)
					}
					if rec := c(s.method, s.url, body, nat, auth...); rec.Code == http.StatusTooManyRequests {
						t.Fatalf("request %d of %d refused already: %s", i+1, s.before, rec.Body)
					}
				}
			},
			ExpectedStatus:     http.StatusTooManyRequests,
			ExpectedContent:    want,
			NotExpectedContent: []string{"Too Many Requests."},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectRetryAfter(t, res.Header, s.window)
			},
		}
		scenario.Test(t)
	}
}
