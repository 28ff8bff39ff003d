package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A failed /api/batch answered "Batch transaction failed." whatever the
// cause, so a client that shows only the top-level message (the SDK's
// error.message, the dashboard's toast) could not say why. When the failing
// request was refused with one field error of a project code, that reason
// is the batch's top-level message, in the caller's language; which request
// failed stays in data, in PocketBase's shape. Other failures keep the
// generic message.
func TestBatch_ReasonOnTop(t *testing.T) {
	reason := map[string]string{
		"en": "Cannot change status from open to fulfilled.",
		"ru": "Нельзя сменить статус с «Открыт» на «Выполнен».",
	}
	batch := func(requests ...string) *strings.Reader {
		return strings.NewReader(`{"requests":[` + strings.Join(requests, ",") + `]}`)
	}
	patchAid := func(id, body string) string {
		return `{"method":"PATCH","url":"` + aidURL + "/" + id + `","body":` + body + `}`
	}
	// open → fulfilled skips acknowledged: workflow_invalid_transition
	skip := patchAid(fixtures.AidOpen, `{"status":"fulfilled"}`)
	notes := patchAid(fixtures.AidAcknowledged, `{"notes":"Called back."}`)
	// a request without its required fields: several field errors
	incomplete := `{"method":"POST","url":"` + aidURL + `","body":{"requester":"` + fixtures.Coordinator + `"}}`
	onTop := func(lang string) string { return `"message":"` + reason[lang] + `","status":400}` }
	failed := func(i string) string {
		return `"requests":{"` + i + `":{"code":"batch_request_failed","message":"Batch request failed.","response":{"data":{"status":{"code":"workflow_invalid_transition"`
	}
	scenarios := []tests.ApiScenario{
		{
			Name: "en", Method: http.MethodPost, URL: "/api/batch", Body: batch(skip),
			ExpectedStatus: 400, ExpectedContent: []string{`{"data":{` + failed("0"), onTop("en")},
			NotExpectedContent: []string{"Batch transaction failed."},
		},
		{
			Name: "ru", Method: http.MethodPost, URL: "/api/batch", Body: batch(skip),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 400, ExpectedContent: []string{`"code":"workflow_invalid_transition"`, onTop("ru")},
		},
		{
			Name: "the second request fails, en", Method: http.MethodPost, URL: "/api/batch", Body: batch(notes, skip),
			ExpectedStatus: 400, ExpectedContent: []string{failed("1"), onTop("en")},
			AfterTestFunc: expectField("aid_requests", fixtures.AidAcknowledged, "notes", ""),
		},
		{
			Name: "the second request fails, ru", Method: http.MethodPost, URL: "/api/batch?lang=ru", Body: batch(notes, skip),
			ExpectedStatus: 400, ExpectedContent: []string{`"1":{"code":"batch_request_failed"`, onTop("ru")},
		},
		{
			Name: "PocketBase's own field errors keep the generic message, en", Method: http.MethodPost, URL: "/api/batch",
			Body:           batch(incomplete),
			ExpectedStatus: 400, ExpectedContent: []string{`"region":{"code":"validation_required"`, `"message":"Batch transaction failed.","status":400}`},
		},
		{
			Name: "PocketBase's own field errors keep the generic message, ru", Method: http.MethodPost, URL: "/api/batch",
			Body:           batch(incomplete),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 400, ExpectedContent: []string{`"message":"Пакетная транзакция не выполнена.","status":400}`},
		},
		{
			Name: "a refused request without field errors keeps the generic message", Method: http.MethodPost, URL: "/api/batch",
			Body:           batch(`{"method":"DELETE","url":"` + aidURL + "/" + fixtures.AidOpen + `"}`),
			ExpectedStatus: 400, ExpectedContent: []string{`"message":"Batch transaction failed.","status":400}`},
		},
	}
	for _, s := range scenarios {
		s.Name = strings.ReplaceAll(s.Name, " ", "_")
		scenario := fixtures.Scenario(fixtures.Coordinator, s)
		scenario.Test(t)
	}
}
