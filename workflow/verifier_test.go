package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// PocketBase empties a non-required relation to a deleted record, so
// deleting the coordinator who verified reports left them verified by
// nobody: the public kept reading them as verified, and every later save
// of one (a corrected public_summary) was refused as lacking verified_by.
// A verifier is kept as a reporter is: the account stays while its
// verifications do.
func TestDeleteUser_KeepsVerifiers(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "the coordinator who verified reports is not deleted",
			Method: http.MethodDelete, URL: "/api/collections/users/records/" + fixtures.Coordinator,
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"message":"Не удалось удалить запись. Убедитесь, что на неё не ссылается обязательная связь."`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if _, err := app.FindRecordById("users", fixtures.Coordinator); err != nil {
					t.Fatalf("the verifier was deleted: %v", err)
				}
				expectField("incident_reports", fixtures.ReportVerified, "verified_by", fixtures.Coordinator)(t, app, res)
			},
		},
		{
			Name:   "once no report names them, they are",
			Method: http.MethodDelete, URL: "/api/collections/users/records/" + fixtures.Coordinator,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if _, err := app.DB().NewQuery("UPDATE incident_reports SET verified_by = ''").Execute(); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus: 204,
		},
		{
			Name:   "a user who verified nothing is deleted",
			Method: http.MethodDelete, URL: "/api/collections/users/records/" + fixtures.Editor,
			ExpectedStatus: 204,
		},
	}
	for _, s := range scenarios {
		s.Name = strings.ReplaceAll(s.Name, " ", "_")
		scenario := fixtures.Scenario(fixtures.Superuser, s)
		scenario.Test(t)
	}
}
