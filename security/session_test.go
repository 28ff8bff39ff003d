package security_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	pbsecurity "github.com/pocketbase/pocketbase/tools/security"

	"aman/internal/fixtures"
)

// A token the server no longer honours is refused (401 sync_invalid_token)
// on every API route but those a client needs to sign in again: PocketBase
// alone would serve the request as a guest's (docs/data-model.md, "A token
// the server no longer honours").

const staleCode = `"code":"sync_invalid_token"`

// token kinds a scenario's request carries
const (
	tokenNone    = "none"    // no Authorization header: a guest
	tokenValid   = "valid"   // the account's current token
	tokenRevoked = "revoked" // issued before the account's password changed
	tokenExpired = "expired" // signed with the right key, past its expiry
	tokenGarbage = "garbage" // no token at all
)

// newReportID is the id of the report the create scenarios send.
const newReportID = "stalecreate0001"

// withToken completes s to run on a seeded app as the account as carrying
// a token of kind.
func withToken(as, kind string, s tests.ApiScenario) tests.ApiScenario {
	headers := map[string]string{}
	for k, v := range s.Headers {
		headers[k] = v
	}
	if _, ok := headers["Content-Type"]; !ok && s.Body != nil {
		headers["Content-Type"] = "application/json"
	}
	s.Headers = headers
	s.TestAppFactory = fixtures.Factory
	before := s.BeforeTestFunc
	s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		if kind != tokenNone {
			headers["Authorization"] = token(t, app, as, kind)
		}
		if before != nil {
			before(t, app, e)
		}
	}
	return s
}

// token returns a token of kind for the account as.
func token(t testing.TB, app core.App, as, kind string) string {
	t.Helper()
	if kind == tokenGarbage {
		return "Bearer not-a-token"
	}
	collection := "users"
	if as == fixtures.Superuser {
		collection = core.CollectionNameSuperusers
	}
	record, err := app.FindRecordById(collection, as)
	if err != nil {
		t.Fatal(err)
	}
	switch kind {
	case tokenExpired:
		tok, err := pbsecurity.NewJWT(jwt.MapClaims{
			core.TokenClaimId:           record.Id,
			core.TokenClaimType:         core.TokenTypeAuth,
			core.TokenClaimCollectionId: record.Collection().Id,
			core.TokenClaimRefreshable:  true,
		}, record.TokenKey()+record.Collection().AuthToken.Secret, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	case tokenRevoked:
		tok, err := record.NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		// a lost phone: a new password ends every session of the old one
		record.SetPassword("a new password for the account")
		if err := app.Save(record); err != nil {
			t.Fatal(err)
		}
		return tok
	default:
		tok, err := record.NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

// noNewReport fails when the create scenarios' report was written.
func noNewReport(t testing.TB, app *tests.TestApp, _ *http.Response) {
	if _, err := app.FindRecordById("incident_reports", newReportID); err == nil {
		t.Fatal("the refused request created its report")
	}
}

func newReportBody(reporter string) string {
	return `{"id":"` + newReportID + `","reporter":"` + reporter + `","category":"other","region":"sughd",` +
		`"description":"Water pipe broken on the main street.","occurred_at":"2025-01-01 10:00:00.000Z"}`
}

func TestStaleToken_Refused(t *testing.T) {
	refused := func(s tests.ApiScenario) tests.ApiScenario {
		s.ExpectedStatus = 401
		s.ExpectedContent = append(s.ExpectedContent, staleCode, `"message":"Your session has expired or is invalid. Sign in again."`)
		s.ExpectedEvents = map[string]int{"*": 0}
		return s
	}
	list := tests.ApiScenario{Method: http.MethodGet, URL: "/api/collections/incident_reports/records"}
	view := tests.ApiScenario{Method: http.MethodGet, URL: "/api/collections/incident_reports/records/" + fixtures.ReportVerified}
	create := tests.ApiScenario{Method: http.MethodPost, URL: "/api/collections/incident_reports/records",
		Body: strings.NewReader(newReportBody(fixtures.Volunteer)), AfterTestFunc: noNewReport}
	batch := tests.ApiScenario{Method: http.MethodPost, URL: "/api/batch",
		Body: strings.NewReader(`{"requests":[{"method":"POST","url":"/api/collections/incident_reports/records","body":` +
			newReportBody(fixtures.Volunteer) + `}]}`), AfterTestFunc: noNewReport}
	update := tests.ApiScenario{Method: http.MethodPatch, URL: "/api/collections/incident_reports/records/" + fixtures.ReportSubmitted,
		Body: strings.NewReader(`{"description":"Changed by a dead session."}`),
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			r, err := app.FindRecordById("incident_reports", fixtures.ReportSubmitted)
			if err != nil || r.GetString("description") == "Changed by a dead session." {
				t.Fatalf("the refused update was applied (%v)", err)
			}
		}}
	fileToken := tests.ApiScenario{Method: http.MethodPost, URL: "/api/files/token"}
	pull := tests.ApiScenario{Method: http.MethodGet, URL: "/api/sync/v1/pull?collections=incident_reports"}
	named := func(name string, s tests.ApiScenario) tests.ApiScenario { s.Name = name; return s }

	scenarios := []tests.ApiScenario{
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: list", list))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: view", view))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: create, nothing written", create))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: batch, nothing written", batch))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: update, nothing written", update))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: file token", fileToken))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: sync pull, the same code", pull))),
		withToken(fixtures.Volunteer, tokenExpired, refused(named("expired: list", list))),
		withToken(fixtures.Volunteer, tokenExpired, refused(named("expired: create, nothing written", create))),
		withToken(fixtures.Volunteer, tokenGarbage, refused(named("garbage: list", list))),
		withToken(fixtures.Coordinator, tokenRevoked, refused(named("coordinator revoked: the queue", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/collections/incident_reports/records?filter=status%3D'submitted'"}))),
		withToken(fixtures.Editor, tokenRevoked, refused(named("editor revoked: updates", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/collections/updates/records"}))),
		// the dashboard's calls: it answers a 401 by clearing its token and
		// showing its login (PocketBase's ui, its API client's error handler)
		withToken(fixtures.Superuser, tokenRevoked, refused(named("superuser revoked: collections", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/collections"}))),
		withToken(fixtures.Superuser, tokenRevoked, refused(named("superuser revoked: settings", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/settings"}))),
		withToken(fixtures.Superuser, tokenExpired, refused(named("superuser expired: logs", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/logs"}))),
		withToken(fixtures.Superuser, tokenRevoked, refused(named("superuser revoked: impersonate", tests.ApiScenario{
			Method: http.MethodPost, URL: "/api/collections/users/impersonate/" + fixtures.Volunteer, Body: strings.NewReader(`{}`)}))),
		withToken(fixtures.Volunteer, tokenRevoked, refused(named("revoked: request an e-mail change (needs the session)", tests.ApiScenario{
			Method: http.MethodPost, URL: "/api/collections/users/request-email-change", Body: strings.NewReader(`{"newEmail":"new@example.org"}`)}))),
		// in the caller's language
		withToken(fixtures.Volunteer, tokenRevoked, named("revoked: the message in Russian", tests.ApiScenario{
			Method: http.MethodGet, URL: "/api/collections/incident_reports/records",
			Headers:            map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:     401,
			ExpectedContent:    []string{staleCode},
			NotExpectedContent: []string{"Your session has expired"},
		})),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestStaleToken_Unchanged: without the header, and with a token the
// server honours, every route answers as before.
func TestStaleToken_Unchanged(t *testing.T) {
	scenarios := []tests.ApiScenario{
		withToken(fixtures.Anonymous, tokenNone, tests.ApiScenario{
			Name: "anonymous: list, the public reports", Method: http.MethodGet, URL: "/api/collections/incident_reports/records",
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":`}, NotExpectedContent: []string{staleCode},
		}),
		withToken(fixtures.Anonymous, tokenNone, tests.ApiScenario{
			Name: "anonymous: view, a report not public", Method: http.MethodGet, URL: "/api/collections/incident_reports/records/" + fixtures.ReportSubmitted,
			ExpectedStatus: 404, NotExpectedContent: []string{staleCode},
		}),
		withToken(fixtures.Anonymous, tokenNone, tests.ApiScenario{
			Name: "anonymous: create, refused by the rule", Method: http.MethodPost, URL: "/api/collections/incident_reports/records",
			Body: strings.NewReader(newReportBody(fixtures.Volunteer)), AfterTestFunc: noNewReport,
			ExpectedStatus: 400, NotExpectedContent: []string{staleCode},
		}),
		withToken(fixtures.Anonymous, tokenNone, tests.ApiScenario{
			Name: "anonymous: batch, refused by the rule", Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[{"method":"POST","url":"/api/collections/incident_reports/records","body":` +
				newReportBody(fixtures.Volunteer) + `}]}`), AfterTestFunc: noNewReport,
			ExpectedStatus: 400, NotExpectedContent: []string{staleCode},
		}),
		withToken(fixtures.Volunteer, tokenValid, tests.ApiScenario{
			Name: "volunteer: list, their reports", Method: http.MethodGet, URL: "/api/collections/incident_reports/records",
			ExpectedStatus: 200, ExpectedContent: []string{fixtures.ReportSubmitted},
		}),
		withToken(fixtures.Volunteer, tokenValid, tests.ApiScenario{
			Name: "volunteer: create", Method: http.MethodPost, URL: "/api/collections/incident_reports/records",
			Body: strings.NewReader(newReportBody(fixtures.Volunteer)), ExpectedStatus: 200, ExpectedContent: []string{newReportID},
		}),
		withToken(fixtures.Volunteer2, tokenValid, tests.ApiScenario{
			Name: "other volunteer: their report, not the first's", Method: http.MethodGet, URL: "/api/collections/incident_reports/records",
			ExpectedStatus: 200, ExpectedContent: []string{fixtures.ReportOther}, NotExpectedContent: []string{fixtures.ReportSubmitted},
		}),
		withToken(fixtures.Coordinator, tokenValid, tests.ApiScenario{
			Name: "coordinator: the queue", Method: http.MethodGet, URL: "/api/collections/incident_reports/records",
			ExpectedStatus: 200, ExpectedContent: []string{fixtures.ReportSubmitted, fixtures.ReportOther},
		}),
		withToken(fixtures.Superuser, tokenValid, tests.ApiScenario{
			Name: "superuser: collections", Method: http.MethodGet, URL: "/api/collections",
			ExpectedStatus: 200, ExpectedContent: []string{`"incident_reports"`},
		}),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestStaleToken_SignInAgain: the routes a client needs to sign in again
// (its SDK still sending the dead token), the health check, a file's
// download and the realtime connection answer as they would a guest.
func TestStaleToken_SignInAgain(t *testing.T) {
	notRefused := func(s tests.ApiScenario) tests.ApiScenario {
		s.NotExpectedContent = append(s.NotExpectedContent, staleCode)
		return s
	}
	body := func(s string) *strings.Reader { return strings.NewReader(s) }
	type route struct {
		name, method, url, body string
		status                  int
		content                 []string
	}
	routes := []route{
		{"sign in with the password", http.MethodPost, "/api/collections/users/auth-with-password",
			`{"identity":"volunteer000001@example.org","password":"a new password for the account"}`, 200, []string{`"token":`}},
		{"auth methods", http.MethodGet, "/api/collections/users/auth-methods", "", 200, []string{`"password":`}},
		{"auth refresh: PocketBase's own 401", http.MethodPost, "/api/collections/users/auth-refresh", "", 401, nil},
		{"request a password reset", http.MethodPost, "/api/collections/users/request-password-reset", `{"email":"volunteer000001@example.org"}`, 204, nil},
		{"confirm a password reset", http.MethodPost, "/api/collections/users/confirm-password-reset",
			`{"token":"x","password":"1234567890","passwordConfirm":"1234567890"}`, 400, []string{`"token":`}},
		{"request a verification", http.MethodPost, "/api/collections/users/request-verification", `{"email":"volunteer000001@example.org"}`, 204, nil},
		{"confirm a verification", http.MethodPost, "/api/collections/users/confirm-verification", `{"token":"x"}`, 400, []string{`"token":`}},
		{"confirm an e-mail change", http.MethodPost, "/api/collections/users/confirm-email-change", `{"token":"x","password":"x"}`, 400, []string{`"token":`}},
		{"request an OTP", http.MethodPost, "/api/collections/users/request-otp", `{"email":"volunteer000001@example.org"}`, 403, nil},
		{"sign in with an OTP", http.MethodPost, "/api/collections/users/auth-with-otp", `{"otpId":"x","password":"x"}`, 403, nil},
		{"sign in with OAuth2", http.MethodPost, "/api/collections/users/auth-with-oauth2", `{"provider":"google","code":"x","redirectURL":"x"}`, 403, nil},
		{"the OAuth2 redirect", http.MethodGet, "/api/oauth2-redirect?state=x&code=x", "", 307, nil},
		{"health", http.MethodGet, "/api/health", "", 200, []string{`"code":200`}},
		{"a file's download (access by the query's file token)", http.MethodGet,
			"/api/files/incident_reports/" + fixtures.ReportVerified + "/none.png", "", 404, nil},
	}
	for _, kind := range []string{tokenRevoked, tokenExpired, tokenNone} {
		for _, r := range routes {
			as := fixtures.Volunteer
			s := tests.ApiScenario{Name: kind + ": " + r.name, Method: r.method, URL: r.url, ExpectedStatus: r.status, ExpectedContent: r.content}
			if r.body != "" {
				s.Body = body(r.body)
			}
			if r.name == "sign in with the password" {
				// the password the revoked token's change set, for every kind
				s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
					if kind == tokenRevoked {
						return
					}
					u, err := app.FindRecordById("users", as)
					if err != nil {
						t.Fatal(err)
					}
					u.SetPassword("a new password for the account")
					if err := app.Save(u); err != nil {
						t.Fatal(err)
					}
				}
			}
			s = withToken(as, kind, notRefused(s))
			s.Test(t)
		}
	}
	// the dashboard's login, its superuser token expired (the dashboard
	// asks auth-refresh first, and clears its token on its 401)
	dashboard := []tests.ApiScenario{withToken(fixtures.Superuser, tokenExpired, notRefused(tests.ApiScenario{
		Name: "dashboard: a superuser signs in again", Method: http.MethodPost, URL: "/api/collections/_superusers/auth-with-password",
		Body: body(`{"identity":"super@example.org","password":"` + fixtures.Password + `"}`), ExpectedStatus: 200, ExpectedContent: []string{`"token":`},
	})), withToken(fixtures.Superuser, tokenExpired, notRefused(tests.ApiScenario{
		// outside /api/ (the dashboard's files, served by the serve command only, and
		// the review screen's): pages, not the API
		Name: "the review screen's page", Method: http.MethodGet, URL: "/review/", ExpectedStatus: 200, ExpectedContent: []string{"<html"},
	}))}
	for _, s := range dashboard {
		s.Test(t)
	}
}

// TestStaleToken_Realtime: the connection binds no account and opens as
// before; the subscription, which binds the account, is refused with a
// dead token, and the connection keeps no subscription and no account.
func TestStaleToken_Realtime(t *testing.T) {
	for _, kind := range []string{tokenRevoked, tokenExpired, tokenGarbage, tokenNone, tokenValid} {
		var id string
		status := 204
		if kind != tokenNone && kind != tokenValid {
			status = 401
		}
		s := tests.ApiScenario{
			Name: kind + ": subscribe", Method: http.MethodPost, URL: "/api/realtime",
			ExpectedStatus: status,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				c, err := app.SubscriptionsBroker().ClientById(id)
				if err != nil {
					t.Fatal(err)
				}
				subscribed := c.HasSubscription("incident_reports")
				auth, _ := c.Get(apis.RealtimeClientAuthKey).(*core.Record)
				if status == 401 && (subscribed || auth != nil) {
					t.Fatalf("a refused subscription: subscribed %v, account %v", subscribed, auth)
				}
				if status == 204 && !subscribed {
					t.Fatal("not subscribed")
				}
				if kind == tokenValid && (auth == nil || auth.Id != fixtures.Volunteer) {
					t.Fatalf("subscribed as %v", auth)
				}
			},
		}
		if status == 401 {
			s.ExpectedContent = []string{staleCode}
		}
		var body bytes.Buffer
		s.Body = &body
		s = withToken(fixtures.Volunteer, kind, s)
		before := s.BeforeTestFunc
		s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			before(t, app, e)
			id = connect(app, "192.0.2.1") // httptest's address
			body.WriteString(subscribeBody(id, 0, "incident_reports"))
		}
		s.Test(t)
	}
	for _, kind := range []string{tokenRevoked, tokenNone} {
		s := withToken(fixtures.Volunteer, kind, tests.ApiScenario{
			Name: kind + ": connect", Method: http.MethodGet, URL: "/api/realtime",
			Timeout:         100 * time.Millisecond,
			ExpectedStatus:  200,
			ExpectedContent: []string{"PB_CONNECT"},
		})
		s.Test(t)
	}
}

// unread is a request body that remembers whether it was read.
type unread struct {
	body *strings.Reader
	read bool
}

func (u *unread) Read(p []byte) (int, error) { u.read = true; return u.body.Read(p) }

// TestStaleToken_BodyUnread: a refused request's body is not read (an
// upload's bytes take no memory budget, nothing is decoded).
func TestStaleToken_BodyUnread(t *testing.T) {
	for _, kind := range []string{tokenRevoked, tokenValid} {
		body := &unread{body: strings.NewReader(newReportBody(fixtures.Volunteer))}
		s := withToken(fixtures.Volunteer, kind, tests.ApiScenario{
			Name: kind + ": create", Method: http.MethodPost, URL: "/api/collections/incident_reports/records",
			Body: body, ExpectedStatus: map[string]int{tokenRevoked: 401, tokenValid: 200}[kind],
			ExpectedContent: []string{map[string]string{tokenRevoked: staleCode, tokenValid: newReportID}[kind]},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, _ *http.Response) {
				if body.read != (kind == tokenValid) {
					t.Fatalf("body read: %v", body.read)
				}
			},
		})
		s.Test(t)
	}
}
