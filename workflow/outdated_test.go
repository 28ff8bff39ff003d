package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// An update group: an English original and its Russian translation.
const (
	updOrigEN  = "updorigen000001"
	updTransRU = "updtransru00001"
)

func seedUpdateGroup(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("updates")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ id, lang, of string }{{updOrigEN, "en", ""}, {updTransRU, "ru", updOrigEN}} {
		record := core.NewRecord(collection)
		record.Id = v.id
		record.Load(map[string]any{"title": "Title " + v.lang, "body": "Body " + v.lang, "language": v.lang,
			"translation_of": v.of, "status": "published", "published_at": "2026-11-21 09:00:00.000Z",
			"author": fixtures.Editor})
		if err := app.SaveNoValidate(record); err != nil {
			t.Fatalf("seed %s: %v", v.id, err)
		}
	}
}

// markStored sets outdated on stored records, around the hooks.
func markStored(collection string, ids ...string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		for _, id := range ids {
			record, err := app.FindRecordById(collection, id)
			if err != nil {
				t.Fatal(err)
			}
			record.Set("outdated", true)
			if err := app.SaveNoValidate(record); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func before(fns ...func(testing.TB, *tests.TestApp, *core.ServeEvent)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		for _, fn := range fns {
			fn(t, app, e)
		}
	}
}

func expectOutdated(collection string, want map[string]bool) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		for id, w := range want {
			expectField(collection, id, "outdated", fmt.Sprint(w))(t, app, res)
		}
	}
}

// A translation is written from its original's text. An original corrected
// later left its translations with the old text, and a fact-check's
// carried verdict above an explanation that argued the other one, with
// nothing telling readers or editors. Translations are now marked
// outdated when the original's translated text (or verdict) changes, and
// the mark goes when the translation's own text is edited.
func TestOutdated_TranslationsFollowTheOriginal(t *testing.T) {
	facts := seedFactGroup("published")
	allFacts := map[string]bool{factOrigRU: false, factTransTG: true, factDraftKY: true}
	noFacts := map[string]bool{factOrigRU: false, factTransTG: false, factDraftKY: false}
	scenarios := []tests.ApiScenario{
		{
			Name:   "an edit of the original's explanation marks every translation, drafts too",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"explanation":"Исправлено: два свидетеля."}`),
			BeforeTestFunc: facts,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: expectOutdated("fact_checks", allFacts),
		},
		{
			Name:   "a new verdict is carried and marks them",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"verdict":"misleading"}`),
			BeforeTestFunc: facts,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectOutdated("fact_checks", allFacts)(t, app, res)
				expectField("fact_checks", factTransTG, "verdict", "misleading")(t, app, res)
				expectField("fact_checks", factDraftKY, "verdict", "misleading")(t, app, res)
			},
		},
		{
			Name:   "a change of what is not translated marks nothing",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"platform":"telegram","explanation":"Because."}`),
			BeforeTestFunc: facts,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: expectOutdated("fact_checks", noFacts),
		},
		{
			Name:   "nor does retracting the original",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"status":"retracted"}`),
			BeforeTestFunc: facts,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectOutdated("fact_checks", noFacts)(t, app, res)
				expectField("fact_checks", factTransTG, "status", "retracted")(t, app, res)
			},
		},
		{
			Name:   "an update's original marks its translation when its body changes",
			Method: http.MethodPatch, URL: updatesURL + "/" + updOrigEN, Body: strings.NewReader(`{"body":"Corrected: the road is open."}`),
			BeforeTestFunc: seedUpdateGroup,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: expectOutdated("updates", map[string]bool{updOrigEN: false, updTransRU: true}),
		},
		{
			Name:   "editing the translation's text clears its mark",
			Method: http.MethodPatch, URL: factsURL + "/" + factTransTG, Body: strings.NewReader(`{"explanation":"Ду шоҳид."}`),
			BeforeTestFunc: before(facts, markStored("fact_checks", factTransTG, factDraftKY)),
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: expectOutdated("fact_checks", map[string]bool{factTransTG: false, factDraftKY: true}),
		},
		{
			Name:   "an edit of what is not translated keeps it",
			Method: http.MethodPatch, URL: factsURL + "/" + factTransTG, Body: strings.NewReader(`{"platform":"facebook"}`),
			BeforeTestFunc: before(facts, markStored("fact_checks", factTransTG)),
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":true`},
		},
		{
			Name:   "an editor who finds the change does not touch it clears it",
			Method: http.MethodPatch, URL: updatesURL + "/" + updTransRU, Body: strings.NewReader(`{"outdated":false}`),
			BeforeTestFunc: before(seedUpdateGroup, markStored("updates", updTransRU)),
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
		},
		{
			Name:   "a write that marks a translation while editing it keeps the mark",
			Method: http.MethodPatch, URL: updatesURL + "/" + updTransRU, Body: strings.NewReader(`{"outdated":true,"title":"Half done"}`),
			BeforeTestFunc: seedUpdateGroup,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":true`},
		},
		{
			Name:   "an original is never outdated",
			Method: http.MethodPatch, URL: updatesURL + "/" + updOrigEN, Body: strings.NewReader(`{"outdated":true}`),
			BeforeTestFunc: seedUpdateGroup,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
			AfterTestFunc: expectOutdated("updates", map[string]bool{updOrigEN: false, updTransRU: false}),
		},
		{
			Name:   "nor is a new translation written as one, unless it says so",
			Method: http.MethodPost, URL: updatesURL,
			Body: strings.NewReader(fmt.Sprintf(`{"title":"Заголовок","body":"Текст","language":"ky","status":"draft","author":%q,"translation_of":%q}`,
				fixtures.Editor, updOrigEN)),
			BeforeTestFunc: seedUpdateGroup,
			ExpectedStatus: 200, ExpectedContent: []string{`"outdated":false`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		scenario := fixtures.Scenario(fixtures.Editor, s)
		scenario.Test(t)
	}
}

// TestOutdated_OneSavePerTranslation: a new verdict and the mark it brings
// reach a translation in one save, so its history has one row for them.
func TestOutdated_OneSavePerTranslation(t *testing.T) {
	s := tests.ApiScenario{
		Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU,
		Body:           strings.NewReader(`{"verdict":"true","explanation":"New evidence."}`),
		BeforeTestFunc: seedFactGroup("published"),
		ExpectedStatus: 200, ExpectedContent: []string{`"verdict":"true"`},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			expectOutdated("fact_checks", map[string]bool{factTransTG: true})(t, app, nil)
			var n int
			err := app.DB().NewQuery("SELECT COUNT(*) FROM _aman_changes WHERE record_id = {:id} AND rev > 1").
				Bind(map[string]any{"id": factTransTG}).Row(&n)
			if err != nil || n != 1 {
				t.Fatalf("history rows of the translation after its seed: %d (%v), want 1", n, err)
			}
		},
	}
	scenario := fixtures.Scenario(fixtures.Editor, s)
	scenario.Test(t)
}
