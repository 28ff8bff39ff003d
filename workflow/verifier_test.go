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
// verifications do. The refusal was a plain error, answered with empty
// data and PocketBase's "required relation reference"; it is
// workflow_user_verified_reports on id with the number of reports, its
// reason the top-level message too, in the caller's language, on REST
// and for the failing request of a batch. Only superusers delete users.
func TestDeleteUser_KeepsVerifiers(t *testing.T) {
	reason := map[string]string{
		"en": "Incident reports name this user as their verifier (count: 6): the account stays while they do. To end its access, change its role or password instead.",
		"ru": "Этот пользователь указан в сообщениях о происшествиях как подтвердивший их (количество: 6): пока это так, учётная запись остаётся. Чтобы закрыть ему доступ, вместо удаления смените его роль или пароль.",
		"tg": "Гузоришҳо ин корбарро ҳамчун тасдиқкунандаи худ номбар мекунанд (шумора: 6): то он даме ки онҳо ӯро номбар мекунанд, ҳисоб боқӣ мемонад. Барои қатъ кардани дастрасии ӯ, ба ҷои нест кардан нақш ё пароли ӯро иваз кунед.",
	}
	onTop := func(lang string) string { return `"message":"` + reason[lang] + `","status":400` }
	refused := `"id":{"code":"workflow_user_verified_reports","message":"` + reason["en"] + `","params":{"reports":6}}`
	refusedIn := func(lang string) string {
		return `"id":{"code":"workflow_user_verified_reports","message":"` + reason[lang] + `","params":{"reports":6}}`
	}
	userURL := "/api/collections/users/records/" + fixtures.Coordinator
	deleteCoordinator := `{"method":"DELETE","url":"` + userURL + `"}`
	batch := func(requests ...string) *strings.Reader {
		return strings.NewReader(`{"requests":[` + strings.Join(requests, ",") + `]}`)
	}
	kept := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if _, err := app.FindRecordById("users", fixtures.Coordinator); err != nil {
			t.Fatalf("the verifier was deleted: %v", err)
		}
		expectField("incident_reports", fixtures.ReportVerified, "verified_by", fixtures.Coordinator)(t, app, res)
	}
	scenarios := []userDelete{
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the coordinator who verified reports is not deleted",
			Method: http.MethodDelete, URL: userURL,
			ExpectedStatus:     400,
			ExpectedContent:    []string{refused, onTop("en")},
			NotExpectedContent: []string{"required relation reference"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the refusal is localized (Accept-Language)",
			Method: http.MethodDelete, URL: userURL,
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{refusedIn("ru"), onTop("ru")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the refusal is localized (?lang)",
			Method: http.MethodDelete, URL: userURL + "?lang=tg",
			ExpectedStatus:  400,
			ExpectedContent: []string{refusedIn("tg"), onTop("tg")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the refusal is the failing request's",
			Method: http.MethodPost, URL: "/api/batch", Body: batch(deleteCoordinator),
			ExpectedStatus:     400,
			ExpectedContent:    []string{refused, onTop("en")},
			NotExpectedContent: []string{"required relation reference"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the refusal is localized",
			Method: http.MethodPost, URL: "/api/batch", Body: batch(deleteCoordinator),
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{refusedIn("ru"), onTop("ru")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "once no report names them, they are",
			Method: http.MethodDelete, URL: userURL,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if _, err := app.DB().NewQuery("UPDATE incident_reports SET verified_by = ''").Execute(); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus: 204,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a user who verified nothing is deleted",
			Method: http.MethodDelete, URL: "/api/collections/users/records/" + fixtures.Editor,
			ExpectedStatus: 204,
		}},
	}
	// nobody else deletes a user, the verifier least of all, not even themselves
	runUserDeletes(t, scenarios, userURL, "workflow_user_verified_reports", kept)
}

// userDelete is a scenario of deleting a user, and whom it runs as.
type userDelete struct {
	as string
	s  tests.ApiScenario
}

// runUserDeletes runs scenarios and then, as each role but the superuser,
// the delete of userURL, which answers 403 without code and keeps the user.
func runUserDeletes(t *testing.T, scenarios []userDelete, userURL, code string, kept func(testing.TB, *tests.TestApp, *http.Response)) {
	for _, as := range []string{fixtures.Anonymous, fixtures.Volunteer, fixtures.Coordinator, fixtures.Editor} {
		scenarios = append(scenarios, userDelete{as, tests.ApiScenario{
			Name:   "deletes nobody",
			Method: http.MethodDelete, URL: userURL,
			ExpectedStatus:     403,
			ExpectedContent:    []string{`"data":{}`},
			NotExpectedContent: []string{code},
			AfterTestFunc:      kept,
		}})
	}
	for _, c := range scenarios {
		c.s.Name = strings.ReplaceAll(c.s.Name+" as "+c.as, " ", "_")
		scenario := fixtures.Scenario(c.as, c.s)
		scenario.Test(t)
	}
}
