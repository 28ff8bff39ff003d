package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

const (
	updatesURL = "/api/collections/updates/records"
	factsURL   = "/api/collections/fact_checks/records"

	updPublished = "updpublished001"
	updDraft     = "upddraft0000001" // relates ReportInReview: verified when drafted, reopened since
	updRetracted = "updretracted001"
	factPub      = "fcpublished0001"
)

// seedEditorial writes updates and a fact-check in each editorial status,
// as the world is (SaveNoValidate), before a scenario's request.
func seedEditorial(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	records := []struct {
		collection, id string
		fields         map[string]any
	}{
		{"updates", updPublished, map[string]any{"title": "Published", "status": "published",
			"related_incidents": []string{fixtures.ReportVerified}}},
		{"updates", updDraft, map[string]any{"title": "Draft", "status": "draft",
			"related_incidents": []string{fixtures.ReportInReview}}},
		{"updates", updRetracted, map[string]any{"title": "Retracted", "status": "retracted",
			"related_incidents": []string{fixtures.ReportVerified}}},
		{"fact_checks", factPub, map[string]any{"claim": "A claim", "verdict": "false",
			"explanation": "Because.", "status": "published"}},
	}
	for _, r := range records {
		collection, err := app.FindCollectionByNameOrId(r.collection)
		if err != nil {
			t.Fatal(err)
		}
		record := core.NewRecord(collection)
		record.Id = r.id
		record.Load(r.fields)
		record.Set("language", "ru")
		record.Set("author", fixtures.Editor)
		if r.collection == "updates" {
			record.Set("body", "Text")
		}
		if err := app.SaveNoValidate(record); err != nil {
			t.Fatalf("seed %s: %v", r.id, err)
		}
	}
}

// reopen takes ReportVerified back to in_review, as a coordinator would on
// new evidence, after updPublished and updRetracted were published on it.
func reopen(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	seedEditorial(t, app, e)
	reopenTheVerified(t, app, e)
}

func expectExists(collection, id string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		if _, err := app.FindRecordById(collection, id); err != nil {
			t.Fatalf("%s/%s is gone: %v", collection, id, err)
		}
	}
}

func TestEditorialTransitions_API(t *testing.T) {
	newUpdate := func(status string, related ...string) string {
		return fmt.Sprintf(`{"title":"New","body":"Text","language":"ky","status":%q,"author":%q,"related_incidents":%s}`,
			status, fixtures.Editor, jsonList(related))
	}
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a published update cannot go back to draft",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished, Body: strings.NewReader(`{"status":"draft"}`),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"status":{"code":"workflow_invalid_transition"`,
				`"params":{"from":"published","to":"draft"}`},
			AfterTestFunc: expectField("updates", updPublished, "status", "published"),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "nor a published fact-check",
			Method: http.MethodPatch, URL: factsURL + "/" + factPub, Body: strings.NewReader(`{"status":"draft"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"published","to":"draft"}`},
			AfterTestFunc:   expectField("fact_checks", factPub, "status", "published"),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "batch: unpublish then delete deletes nothing",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[` +
				`{"method":"PATCH","url":"` + updatesURL + "/" + updPublished + `","body":{"status":"draft"}},` +
				`{"method":"DELETE","url":"` + updatesURL + "/" + updPublished + `"}]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_invalid_transition"`, `"from":"published"`, `"to":"draft"`},
			AfterTestFunc:   expectExists("updates", updPublished),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a retracted update cannot become a draft, even for a superuser",
			Method: http.MethodPatch, URL: updatesURL + "/" + updRetracted, Body: strings.NewReader(`{"status":"draft"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"retracted","to":"draft"}`},
			AfterTestFunc:   expectField("updates", updRetracted, "status", "retracted"),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a text is not created retracted",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("retracted")),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"workflow_invalid_initial_status"`, `"initial":"draft"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "an editor writes and publishes at once",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("published", fixtures.ReportVerified)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"published"`, `"related_incidents":["` + fixtures.ReportVerified + `"]`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "publishing a draft whose report was reopened is refused",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft, Body: strings.NewReader(`{"status":"published"}`),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`,
				`"message":"A published update can rest on verified reports only."`},
			AfterTestFunc: expectField("updates", updDraft, "status", "draft"),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "the refusal is localized",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft, Body: strings.NewReader(`{"status":"published"}`),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 400,
			ExpectedContent: []string{`"code":"workflow_related_not_verified"`,
				`"message":"Опубликованная новость может опираться только на подтверждённые сообщения о происшествиях."`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a superuser cannot publish it either",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft, Body: strings.NewReader(`{"status":"published"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
			AfterTestFunc:   expectField("updates", updDraft, "status", "draft"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "nor create a published update on a report in review",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("published", fixtures.ReportInReview)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a superuser may draft on it",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("draft", fixtures.ReportInReview)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"draft"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "the draft is published once the link goes",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"status":"published","published_at":"2026-11-28 09:00:00.000Z","related_incidents":[]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"published"`, `"related_incidents":[]`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a retracted update is published again",
			Method: http.MethodPatch, URL: updatesURL + "/" + updRetracted, Body: strings.NewReader(`{"status":"published"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"published"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "after its report was reopened, a published update is still retitled",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished, Body: strings.NewReader(`{"title":"Corrected"}`),
			BeforeTestFunc:  reopen,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"title":"Corrected"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "and retracted",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished, Body: strings.NewReader(`{"status":"retracted"}`),
			BeforeTestFunc:  reopen,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"retracted"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "but not published again",
			Method: http.MethodPatch, URL: updatesURL + "/" + updRetracted, Body: strings.NewReader(`{"status":"published"}`),
			BeforeTestFunc:  reopen,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
			AfterTestFunc:   expectField("updates", updRetracted, "status", "retracted"),
		}},
		// Readers' lists are newest first by published_at (the content
		// endpoint, an app's sort=-published_at): a text published without
		// one sat below every other, as if it were a draft.
		{fixtures.Editor, tests.ApiScenario{
			Name:   "publishing stamps published_at",
			Method: http.MethodPost, URL: factsURL,
			Body: strings.NewReader(fmt.Sprintf(`{"claim":"C","verdict":"false","explanation":"E","language":"ru","status":"published","author":%q}`,
				fixtures.Editor)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"published"`, `"published_at":"20`},
			NotExpectedContent: []string{`"published_at":""`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "so does creating a published update",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("published", fixtures.ReportVerified)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"published"`, `"published_at":"20`},
			NotExpectedContent: []string{`"published_at":""`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "and a draft published later is stamped then",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:               strings.NewReader(`{"status":"published","related_incidents":[]}`),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"published"`, `"published_at":"20`},
			NotExpectedContent: []string{`"published_at":""`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a draft has no published_at",
			Method: http.MethodPost, URL: updatesURL, Body: strings.NewReader(newUpdate("draft")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"draft"`, `"published_at":""`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a given published_at is kept",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"status":"published","published_at":"2026-11-28 09:00:00.000Z","related_incidents":[]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published_at":"2026-11-28 09:00:00.000Z"`},
		}},
		// There is no scheduling: a time in 2099 pinned a text above
		// every other in readers' lists, newest first.
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a published_at in the future is lowered to now",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:               strings.NewReader(`{"status":"published","published_at":"2099-01-01 00:00:00.000Z","related_incidents":[]}`),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"published_at":"20`},
			NotExpectedContent: []string{`"published_at":"2099`},
			AfterTestFunc:      expectPublishedNotAfterNow(updDraft),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "also on a published text",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished,
			Body:               strings.NewReader(`{"published_at":"2099-01-01 00:00:00.000Z"}`),
			ExpectedStatus:     200,
			NotExpectedContent: []string{`"published_at":"2099`},
			ExpectedContent:    []string{`"published_at":"20`},
			AfterTestFunc:      expectPublishedNotAfterNow(updPublished),
		}},
		// A phone that sends its whole document sends the empty
		// published_at it held when it published offline with every edit
		// queued after; sync merges them as no news to it.
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a published text keeps its published_at when a write clears it",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished,
			Body: strings.NewReader(`{"body":"Fixed","published_at":""}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedEditorial(t, app, e)
				rec, err := app.FindRecordById("updates", updPublished)
				if err != nil {
					t.Fatal(err)
				}
				rec.Set("published_at", "2026-11-28 09:00:00.000Z")
				if err := app.SaveNoValidate(rec); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"body":"Fixed"`, `"published_at":"2026-11-28 09:00:00.000Z"`},
		}},
	}
	for i, sc := range scenarios {
		sc.s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(sc.as), sc.s.Name)
		if sc.s.BeforeTestFunc == nil {
			sc.s.BeforeTestFunc = seedEditorial
		}
		scenario := fixtures.Scenario(sc.as, sc.s)
		scenario.Test(t)
	}
}

func jsonList(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	return `["` + strings.Join(ids, `","`) + `"]`
}

// expectPublishedNotAfterNow checks that the update's stored published_at
// is set and not later than now.
func expectPublishedNotAfterNow(id string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		rec, err := app.FindRecordById("updates", id)
		if err != nil {
			t.Fatal(err)
		}
		if at := rec.GetDateTime("published_at"); at.IsZero() || at.Time().After(time.Now()) {
			t.Fatalf("published_at %v, want a time not after now", at)
		}
	}
}
