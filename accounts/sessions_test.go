package accounts_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// docs/operations.md, "A lost or seized phone": a superuser's new password
// for the account ends every session its old token opened.
func TestNewPasswordEndsSessions(t *testing.T) {
	var oldToken string
	scenario := tests.ApiScenario{
		Name:   "the old token no longer pulls",
		Method: http.MethodGet, URL: "/api/sync/v1/pull?collections=aid_requests",
		TestAppFactory: fixtures.Factory,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
			var err error
			if oldToken, err = fixtures.Auth(app, fixtures.Volunteer); err != nil {
				t.Fatal(err)
			}
			user, err := app.FindRecordById("users", fixtures.Volunteer)
			if err != nil {
				t.Fatal(err)
			}
			user.SetPassword("a new password for the account")
			if err := app.Save(user); err != nil {
				t.Fatal(err)
			}
		},
		ExpectedStatus:     401,
		ExpectedContent:    []string{`"code":"sync_invalid_token"`},
		NotExpectedContent: []string{fixtures.PhoneText},
	}
	scenario.Headers = map[string]string{}
	before := scenario.BeforeTestFunc
	scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		before(t, app, e)
		scenario.Headers["Authorization"] = oldToken
	}
	scenario.Test(t)
}
