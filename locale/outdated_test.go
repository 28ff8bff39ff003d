package locale_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// correctOriginal edits the Tajik original of the fact-check group, as an
// editor would: its Russian translation falls behind.
func correctOriginal(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	original, err := app.FindRecordById("fact_checks", factTG)
	if err != nil {
		t.Fatal(err)
	}
	original.Set("explanation", "Навор соли 2021 дар деҳаи дигар сабт шудааст.")
	if err := app.Save(original); err != nil {
		t.Fatal(err)
	}
}

// A reader of a translation its original left behind is told so, in their
// language, beside the `outdated` mark; a reader of the original is not.
func TestContent_OutdatedTranslation(t *testing.T) {
	ruNotice := `"outdatedNotice":"Этот перевод может быть устаревшим: оригинал изменили после перевода."`
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "the translation, after the original was corrected",
			URL:             "/api/aman/content/fact_checks/" + factTG + "?lang=ru",
			BeforeTestFunc:  correctOriginal,
			ExpectedContent: []string{`"language":"ru"`, `"outdated":true`, ruNotice, factRUExplained},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "a Tajik reader of the group is served the corrected original, unmarked",
			URL:                "/api/aman/content/fact_checks/" + factRU + "?lang=tg",
			BeforeTestFunc:     correctOriginal,
			ExpectedContent:    []string{`"language":"tg"`, `"outdated":false`, "дар деҳаи дигар"},
			NotExpectedContent: []string{`"outdated":true`, `"outdatedNotice"`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "before the correction, nothing is said",
			URL:                "/api/aman/content/fact_checks/" + factTG + "?lang=ru",
			ExpectedContent:    []string{`"language":"ru"`, `"outdated":false`},
			NotExpectedContent: []string{`"outdatedNotice"`, `"outdated":true`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "the list marks it too, in the reader's language",
			URL:             "/api/aman/content/fact_checks?lang=uz-Cyrl",
			BeforeTestFunc:  correctOriginal,
			ExpectedContent: []string{`"language":"ru"`, `"outdated":true`, `"outdatedNotice":"Бу таржима эскирган бўлиши мумкин: асл матн таржима қилингандан кейин ўзгартирилган."`},
		}},
	}
	for _, sc := range scenarios {
		s := groupScenario(sc.as, sc.s)
		s.Name = fixtures.Role(sc.as) + ": " + s.Name
		s.Test(t)
	}
}
