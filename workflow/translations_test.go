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

// A fact-check group: a Russian original and a Tajik translation, both
// published, and a Kyrgyz translation still in draft.
const (
	factOrigRU  = "factorigru00001"
	factTransTG = "facttranstg0001"
	factDraftKY = "factdraftky0001"
)

// factVersion is one version of a fact-check in a translation group.
type factVersion struct{ id, lang, of, status, verdict string }

// seedFacts saves versions as the fixtures' editor wrote them.
func seedFacts(t testing.TB, app *tests.TestApp, versions ...factVersion) {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("fact_checks")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		record := core.NewRecord(collection)
		record.Id = v.id
		record.Load(map[string]any{"claim": "claim " + v.lang, "verdict": v.verdict, "explanation": "Because.",
			"language": v.lang, "translation_of": v.of, "status": v.status, "author": fixtures.Editor})
		if v.status != "draft" {
			record.Set("published_at", "2026-11-21 09:00:00.000Z")
		}
		if err := app.SaveNoValidate(record); err != nil {
			t.Fatalf("seed %s: %v", v.id, err)
		}
	}
}

func seedFactGroup(status string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		seedFacts(t, app,
			factVersion{factOrigRU, "ru", "", status, "false"},
			factVersion{factTransTG, "tg", factOrigRU, "published", "false"},
			factVersion{factDraftKY, "ky", factOrigRU, "draft", "false"})
	}
}

// A retraction withdraws a text, not one language of it: the translations
// of a retracted original kept being published, and readers of the
// original's own language were served one of them as a mere fallback.
func TestRetraction_CarriesToTranslations(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "retracting an original retracts its published translations",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"status":"retracted"}`),
			BeforeTestFunc: seedFactGroup("published"),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"retracted"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField("fact_checks", factTransTG, "status", "retracted")(t, app, res)
				expectField("fact_checks", factDraftKY, "status", "draft")(t, app, res)
			},
		},
		{
			Name:   "so the public is not served the retracted text in another language",
			Method: http.MethodGet, URL: "/api/aman/content/fact_checks/" + factOrigRU + "?lang=ru",
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedFactGroup("published")(t, app, e)
				original, err := app.FindRecordById("fact_checks", factOrigRU)
				if err != nil {
					t.Fatal(err)
				}
				original.Set("status", "retracted")
				if err := app.Save(original); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
		},
		{
			Name:   "a translation of a retracted original is not published",
			Method: http.MethodPatch, URL: factsURL + "/" + factDraftKY, Body: strings.NewReader(`{"status":"published"}`),
			BeforeTestFunc: seedFactGroup("retracted"),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"translation_of":{"code":"workflow_original_retracted"`,
				`"message":"The original of this text was retracted: publish it again before its translations."`},
			AfterTestFunc: expectField("fact_checks", factDraftKY, "status", "draft"),
		},
		{
			Name:   "nor created published",
			Method: http.MethodPost, URL: factsURL,
			Body: strings.NewReader(fmt.Sprintf(`{"claim":"c","verdict":"false","explanation":"E","language":"en","status":"published","author":%q,"translation_of":%q}`,
				fixtures.Editor, factOrigRU)),
			Headers:        map[string]string{"Accept-Language": "ru"},
			BeforeTestFunc: seedFactGroup("retracted"),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"translation_of":{"code":"workflow_original_retracted"`,
				`"message":"Оригинал этого текста отозван: сначала опубликуйте его снова, потом переводы."`},
		},
		{
			Name:   "once the original is published again, so may its translations be",
			Method: http.MethodPatch, URL: factsURL + "/" + factDraftKY, Body: strings.NewReader(`{"status":"published"}`),
			BeforeTestFunc: seedFactGroup("published"),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"published"`},
		},
		{
			Name:   "a translation is still retracted alone",
			Method: http.MethodPatch, URL: factsURL + "/" + factTransTG, Body: strings.NewReader(`{"status":"retracted"}`),
			BeforeTestFunc: seedFactGroup("published"),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"retracted"`},
			AfterTestFunc: expectField("fact_checks", factOrigRU, "status", "published"),
		},
	}
	for i, s := range scenarios {
		as := fixtures.Editor
		if s.Method == http.MethodGet {
			as = fixtures.Anonymous // a reader
		}
		s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(as), s.Name)
		scenario := fixtures.Scenario(as, s)
		scenario.Test(t)
	}
}

// A published text made a translation of a retracted original put the
// withdrawn text back before the public in the group's name, as publishing
// a translation of it would.
func TestRetraction_NoPublishedTextJoinsIt(t *testing.T) {
	const standalone = "factstandalone1"
	seed := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		seedFactGroup("retracted")(t, app, e)
		seedFacts(t, app, factVersion{standalone, "en", "", "published", "false"})
	}
	scenarios := []tests.ApiScenario{
		{
			Name:   "a published text is not made a translation of a retracted original",
			Method: http.MethodPatch, URL: factsURL + "/" + standalone,
			Body:           strings.NewReader(fmt.Sprintf(`{"translation_of":%q}`, factOrigRU)),
			ExpectedStatus: 400, ExpectedContent: []string{`"translation_of":{"code":"workflow_original_retracted"`},
			AfterTestFunc: expectField("fact_checks", standalone, "translation_of", ""),
		},
		{
			Name:   "nor with other edits in the same write",
			Method: http.MethodPatch, URL: factsURL + "/" + standalone,
			Body:           strings.NewReader(fmt.Sprintf(`{"translation_of":%q,"explanation":"Other."}`, factOrigRU)),
			ExpectedStatus: 400, ExpectedContent: []string{`"translation_of":{"code":"workflow_original_retracted"`},
		},
		{
			Name:   "a published translation of it, stored, is still edited",
			Method: http.MethodPatch, URL: factsURL + "/" + factTransTG,
			Body:           strings.NewReader(`{"explanation":"Other."}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"explanation":"Other."`},
		},
		{
			Name:   "and a draft leaves it",
			Method: http.MethodPatch, URL: factsURL + "/" + factDraftKY,
			Body:           strings.NewReader(`{"translation_of":""}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"translation_of":""`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		s.BeforeTestFunc = seed
		scenario := fixtures.Scenario(fixtures.Editor, s)
		scenario.Test(t)
	}
}
