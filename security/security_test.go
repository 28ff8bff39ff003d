package security_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/security"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }

// scenarioIP is the client address of every tests.ApiScenario request.
const scenarioIP = "192.0.2.1:1234"

// loginURL and wrongLogin are a volunteer login and a wrong password for
// it, what a password guesser sends.
const (
	loginURL   = "/api/collections/users/auth-with-password"
	wrongLogin = `{"identity":"nobody@example.org","password":"wrong-password"}`
)

// fire sends n requests through the app's router from remoteAddr, as
// distinct clients would before the scenario's own request, and returns the
// status codes.
func fire(t testing.TB, e *core.ServeEvent, n int, method, url, body, remoteAddr string) []int {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatalf("build mux: %v", err)
	}
	codes := make([]int, n)
	for i := range codes {
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = remoteAddr
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		codes[i] = rec.Code
	}
	return codes
}

func expectAll(t testing.TB, codes []int, want int) {
	t.Helper()
	for i, c := range codes {
		if c != want {
			t.Fatalf("request %d: status %d, want %d (all: %v)", i, c, want, codes)
		}
	}
}

func TestSettings_ShipOn(t *testing.T) {
	app := testapp.New(t)
	s := app.Settings()
	if !s.RateLimits.Enabled {
		t.Fatal("rate limiter disabled")
	}
	if !s.Batch.Enabled || s.Batch.MaxRequests != 50 || s.Batch.Timeout != 5 || s.Batch.MaxBodySize != 32<<20 {
		t.Fatalf("batch = %+v", s.Batch)
	}
	// tests.TestApp zeroes the in-memory log settings; read the stored ones.
	var stored string
	if err := app.DB().NewQuery("SELECT value FROM _params WHERE id = 'settings'").Row(&stored); err != nil {
		t.Fatalf("read stored settings: %v", err)
	}
	if !strings.Contains(stored, `"logIP":false`) || !strings.Contains(stored, `"maxDays":7`) {
		t.Fatalf("stored logs settings: %s", stored)
	}
	if s.Backups.Cron != "30 2 * * *" || s.Backups.CronMaxKeep != 7 {
		t.Fatalf("backups = %+v", s.Backups)
	}
	if len(s.TrustedProxy.Headers) != 0 {
		t.Fatalf("trusted proxy headers must stay empty by default, got %v", s.TrustedProxy.Headers)
	}

	// The rule each route resolves to, with the labels PocketBase computes.
	scenarios := []struct {
		labels   []string
		audience string
		label    string
		max      int
		duration int64
	}{
		{[]string{"users:authWithPassword", "users:auth", "*:authWithPassword", "*:auth"}, "@guest", "*:auth", 10, 30},
		{[]string{"_superusers:authWithPassword", "_superusers:auth", "*:authWithPassword", "*:auth"}, "@guest", "_superusers:auth", 5, 60},
		{[]string{"users:requestPasswordReset", "*:requestPasswordReset"}, "@guest", "*:requestPasswordReset", 5, 60},
		{[]string{"POST /api/sync/v1/push", "/api/sync/v1/push"}, "@auth", "POST /api/sync/v1/push", 1200, 60},
		{[]string{"GET /api/sync/v1/pull", "/api/sync/v1/pull"}, "@auth", "GET /api/sync/v1/pull", 3000, 60},
		{[]string{"POST /api/batch", "/api/batch"}, "@auth", "/api/batch", 60, 60},
		{[]string{"incident_reports:create", "*:create"}, "@auth", "*:create", 120, 10},
		{[]string{"GET /api/collections/updates/records", "/api/collections/updates/records"}, "@guest", "/api/", 600, 10},
	}
	for _, s := range scenarios {
		t.Run(s.labels[0], func(t *testing.T) {
			rule, ok := app.Settings().RateLimits.FindRateLimitRule(s.labels, "", s.audience)
			if !ok || rule.Label != s.label || rule.MaxRequests != s.max || rule.Duration != s.duration {
				t.Fatalf("rule = %+v (found %v), want %s %d/%ds", rule, ok, s.label, s.max, s.duration)
			}
		})
	}
}

func TestRateLimit_Login(t *testing.T) {
	const url, body = loginURL, wrongLogin
	scenarios := []tests.ApiScenario{
		{
			Name:   "11th attempt in 30 s from one IP is refused",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(body),
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				expectAll(t, fire(t, e, 10, http.MethodPost, url, body, scenarioIP), http.StatusBadRequest)
			},
			ExpectedStatus:  http.StatusTooManyRequests,
			ExpectedContent: []string{`"status":429`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "another IP's attempts do not count",
			Method: http.MethodPost, URL: url, Body: strings.NewReader(body),
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				codes := fire(t, e, 11, http.MethodPost, url, body, "198.51.100.7:4000")
				expectAll(t, codes[:10], http.StatusBadRequest)
				expectAll(t, codes[10:], http.StatusTooManyRequests)
			},
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{`"status":400`},
			NotExpectedContent: []string{`"token"`},
			ExpectedEvents: map[string]int{
				"OnRecordAuthWithPasswordRequest": 1,
				"OnModelValidate":                 0,
			},
		},
		{
			Name:   "superuser login is stricter: 6th in a minute refused",
			Method: http.MethodPost, URL: "/api/collections/_superusers/auth-with-password", Body: strings.NewReader(body),
			TestAppFactory: testapp.Factory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				expectAll(t, fire(t, e, 5, http.MethodPost, "/api/collections/_superusers/auth-with-password", body, scenarioIP), http.StatusBadRequest)
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

func TestBatch_Limits(t *testing.T) {
	var reqs []string
	for range 51 {
		reqs = append(reqs, `{"method":"POST","url":"/api/collections/incident_reports/records","body":{}}`)
	}
	scenario := tests.ApiScenario{
		Name:   "51 requests in one batch are refused before any runs",
		Method: http.MethodPost, URL: "/api/batch",
		Body:            strings.NewReader(`{"requests":[` + strings.Join(reqs, ",") + `]}`),
		TestAppFactory:  testapp.Factory,
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"requests":{`, `"code":"validation_length_too_long"`},
		ExpectedEvents:  map[string]int{"*": 0},
	}
	scenario.Test(t)
}

func TestCORS(t *testing.T) {
	allowOrigin := func(want string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, want)
			}
		}
	}
	scenarios := []struct {
		name, env, method, origin, allowed string
		status                             int
	}{
		{"the App URL's origin is allowed", "", http.MethodGet, "http://localhost:8090", "http://localhost:8090", 200},
		{"a foreign origin gets no CORS grant", "", http.MethodGet, "https://evil.example", "", 200},
		{"preflight from a foreign origin gets no grant", "", http.MethodOptions, "https://evil.example", "", 204},
		{"preflight from the App URL is granted", "", http.MethodOptions, "http://localhost:8090", "http://localhost:8090", 204},
		{"AMAN_CORS_ORIGINS wildcard allows a subdomain", "https://*.aman.example, https://reader.example", http.MethodGet, "https://app.aman.example", "https://app.aman.example", 200},
		{"AMAN_CORS_ORIGINS exact entry", "https://*.aman.example, https://reader.example", http.MethodGet, "https://reader.example", "https://reader.example", 200},
		{"the wildcard does not cross a path or a suffix", "https://*.aman.example", http.MethodGet, "https://aman.example.evil.example", "", 200},
		{"a lone * in AMAN_CORS_ORIGINS does not open CORS", "*", http.MethodGet, "https://evil.example", "", 200},
		{"no Origin header: not a browser, served as is", "", http.MethodGet, "", "", 200},
	}
	for _, s := range scenarios {
		t.Setenv(security.OriginsEnv, s.env)
		content := []string{`"code":200`}
		if s.status == 204 {
			content = nil
		}
		headers := map[string]string{}
		if s.origin != "" {
			headers["Origin"] = s.origin
		}
		if s.method == http.MethodOptions {
			headers["Access-Control-Request-Method"] = "POST"
		}
		(&tests.ApiScenario{
			Name:   s.name,
			Method: s.method, URL: "/api/health",
			Headers:         headers,
			TestAppFactory:  testapp.Factory,
			ExpectedStatus:  s.status,
			ExpectedContent: content,
			AfterTestFunc:   allowOrigin(s.allowed),
		}).Test(t)
	}
}

// streamed hides its length, so the request goes out without
// Content-Length, as a chunked upload would.
type streamed struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	big := `{"identity":"` + strings.Repeat("a", 70<<10) + `","password":"x"}`
	scenarios := []tests.ApiScenario{
		{
			Name:   "login body over 64 KiB with Content-Length",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-password",
			Body:           strings.NewReader(big),
			TestAppFactory: testapp.Factory,
			ExpectedStatus: http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{`"code":"body_too_large"`, `"params":{"limit":65536}`,
				`"message":"The request body is larger than 65536 bytes.","status":413}`},
			ExpectedEvents: map[string]int{"*": 0},
		},
		{
			Name:   "login body over 64 KiB, in the caller's language",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-password?lang=ru",
			Body:           strings.NewReader(big),
			TestAppFactory: testapp.Factory,
			ExpectedStatus: http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{`"code":"body_too_large"`,
				`"message":"Размер запроса превышает 65536 байт.","status":413}`},
			ExpectedEvents: map[string]int{"*": 0},
		},
		{
			Name:   "login body over 64 KiB streamed without Content-Length",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-password",
			Body:           streamed{strings.NewReader(big)},
			TestAppFactory: testapp.Factory,
			ExpectedStatus: http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{`"code":"body_too_large"`, `"params":{"limit":65536}`,
				`"message":"The request body is larger than 65536 bytes.","status":413}`},
			NotExpectedContent: []string{`"token"`, "Request entity too large"},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:   "streamed without Content-Length, in the caller's language",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-password",
			Body:           streamed{strings.NewReader(big)},
			Headers:        map[string]string{"Accept-Language": "ru"},
			TestAppFactory: testapp.Factory,
			ExpectedStatus: http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{`"code":"body_too_large"`,
				`"message":"Размер запроса превышает 65536 байт.","status":413}`},
			NotExpectedContent: []string{`"token"`},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:   "a login body under the limit reaches the handler",
			Method: http.MethodPost, URL: "/api/collections/users/auth-with-password",
			Body:            strings.NewReader(`{"identity":"nobody@example.org","password":"x"}`),
			TestAppFactory:  testapp.Factory,
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"OnRecordAuthWithPasswordRequest": 1},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// Sync push from one carrier NAT address: 200 devices pushing 3 times each
// (a blackout's worth of queue draining with retries) all get through; the
// flood past 1,200 a minute is refused. The requests carry no token, so the
// sync handler answers 401 fast, but the limiter counts every request.
func TestRateLimit_PushBehindOneNAT(t *testing.T) {
	const url = "/api/sync/v1/push"
	const body = `{"client":"device","mutations":[]}`
	scenario := tests.ApiScenario{
		Name:   "1,201st push from one IP in a minute is refused, the 600 of 200 devices are not",
		Method: http.MethodPost, URL: url, Body: strings.NewReader(body),
		TestAppFactory: testapp.Factory,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			codes := fire(t, e, 1200, http.MethodPost, url, body, scenarioIP)
			for i, c := range codes {
				if c == http.StatusTooManyRequests || c == http.StatusNotFound {
					t.Fatalf("push %d from the NAT address: status %d", i, c)
				}
			}
		},
		ExpectedStatus:  http.StatusTooManyRequests,
		ExpectedContent: []string{`"status":429`},
		ExpectedEvents:  map[string]int{"*": 0},
	}
	scenario.Test(t)
}

// TestLogin_KeepsNoOrigin: a volunteer's login leaves no trace of where it
// came from. PocketBase's login alert stores MD5(IP + User-Agent) of each
// login in _authOrigins, which gives the IP back to anyone holding the
// database or a backup (an app has a handful of User-Agents to try with
// 2^32 addresses), while the request logs keep no IP so that a seized
// server cannot map volunteers to their addresses (docs/operations.md).
func TestLogin_KeepsNoOrigin(t *testing.T) {
	scenario := tests.ApiScenario{
		Name:   "a volunteer logs in",
		Method: http.MethodPost, URL: "/api/collections/users/auth-with-password",
		Body:            strings.NewReader(`{"identity":"` + fixtures.Volunteer + `@example.org","password":"` + fixtures.Password + `"}`),
		Headers:         map[string]string{"User-Agent": "AmanApp/1.0"},
		TestAppFactory:  fixtures.Factory,
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{`"token":"`},
		ExpectedEvents:  map[string]int{"OnRecordAuthWithPasswordRequest": 1},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			user, err := app.FindRecordById("users", fixtures.Volunteer)
			if err != nil {
				t.Fatal(err)
			}
			origins, err := app.FindAllAuthOriginsByRecord(user)
			if err != nil {
				t.Fatal(err)
			}
			if len(origins) != 0 {
				t.Fatalf("the login left %d origin(s), fingerprint %q = MD5(IP + User-Agent)", len(origins), origins[0].Fingerprint())
			}
		},
	}
	scenario.Test(t)
}
