package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// Deleting a user whom records name in a required relation (a reporter, a
// requester, an author) was refused by PocketBase with empty data and its
// "part of a required relation reference": the superuser, the only role
// that deletes users, learnt neither which records hold the account nor
// what to do instead. It is workflow_user_has_records on id with the count
// of each, its reason the top-level message too, in the caller's language,
// on REST and for the failing request of a batch.
func TestDeleteUser_KeepsAuthors(t *testing.T) {
	const params = `"params":{"fact_checks":0,"reports":7,"requests":6,"updates":0}`
	reason := map[string]string{
		"en": "Records name this user as the one who filed or wrote them (incident reports: 7, aid requests: 6, updates: 0, fact checks: 0): they stay, and the account with them. To end its access, change its role or password instead.",
		"ru": "Этот пользователь указан в записях как тот, кто их подал или написал (сообщения о происшествиях: 7, запросы о помощи: 6, новости: 0, проверки фактов: 0): они остаются, а с ними и учётная запись. Чтобы закрыть ему доступ, вместо удаления смените его роль или пароль.",
	}
	refusedIn := func(lang string) []string {
		return []string{
			`"id":{"code":"workflow_user_has_records","message":"` + reason[lang] + `",` + params + `}`,
			`"message":"` + reason[lang] + `","status":400`,
		}
	}
	userURL := "/api/collections/users/records/" + fixtures.Volunteer
	batch := strings.NewReader(`{"requests":[{"method":"DELETE","url":"` + userURL + `"}]}`)
	kept := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if _, err := app.FindRecordById("users", fixtures.Volunteer); err != nil {
			t.Fatalf("the reporter was deleted: %v", err)
		}
	}
	scenarios := []userDelete{
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the volunteer who filed reports and requests is not deleted",
			Method: http.MethodDelete, URL: userURL,
			ExpectedStatus:     400,
			ExpectedContent:    refusedIn("en"),
			NotExpectedContent: []string{"required relation reference"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the refusal is localized",
			Method: http.MethodDelete, URL: userURL,
			Headers:            map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:     400,
			ExpectedContent:    refusedIn("ru"),
			NotExpectedContent: []string{"обязательная связь"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the refusal is the failing request's",
			Method: http.MethodPost, URL: "/api/batch", Body: batch,
			ExpectedStatus:     400,
			ExpectedContent:    refusedIn("en"),
			NotExpectedContent: []string{"required relation reference"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the author of an update and a fact check is not deleted",
			Method: http.MethodDelete, URL: "/api/collections/users/records/" + fixtures.Editor,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				for _, c := range []string{"updates", "fact_checks"} {
					col, err := app.FindCollectionByNameOrId(c)
					if err != nil {
						t.Fatal(err)
					}
					r := core.NewRecord(col)
					r.Set("author", fixtures.Editor)
					r.Set("status", "draft")
					if err := app.SaveNoValidate(r); err != nil {
						t.Fatal(err)
					}
				}
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_user_has_records"`, `"params":{"fact_checks":1,"reports":0,"requests":0,"updates":1}`},
		}},
	}
	// nobody else deletes a user, the reporter not even themselves
	runUserDeletes(t, scenarios, userURL, "workflow_user_has_records", kept)
}
