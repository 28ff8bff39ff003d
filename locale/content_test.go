package locale_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
)

const appealSlug = "civil-society-appeal-2021-04-30"

// addAppealVersion adds a version of the seeded appeal in lang.
func addAppealVersion(lang, status string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		original, err := app.FindFirstRecordByFilter("appeals", "slug = {:s} && language = 'en'", map[string]any{"s": appealSlug})
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(original.Collection())
		r.Load(map[string]any{
			"slug": appealSlug, "title": "Обращение (" + lang + ")", "body": "Текст перевода", "language": lang,
			"official": false, "translation_of": original.Id, "adopted_on": original.GetString("adopted_on"), "status": status,
		})
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestContent_AppealFallback(t *testing.T) {
	url := "/api/aman/content/appeals/" + appealSlug
	scenarios := []tests.ApiScenario{
		{
			Name: "Tajik asked, only English exists: English, marked as a fallback",
			URL:  url + "?lang=tg",
			ExpectedContent: []string{
				`"language":"en"`, `"requested":"tg"`, `"fallback":true`, `"available":["en"]`,
				`"notice":"Ин матн бо ин забон дастрас нест: тоҷикӣ. Забони нишондодашуда: англисӣ."`,
				`"slug":"` + appealSlug + `"`,
			},
			AfterTestFunc: expectContentLanguage("en"),
		},
		{
			Name:            "Tajik asked, Russian exists: Russian before English",
			URL:             url,
			Headers:         map[string]string{"Accept-Language": "tg"},
			BeforeTestFunc:  addAppealVersion("ru", "published"),
			ExpectedContent: []string{`"language":"ru"`, `"requested":"tg"`, `"fallback":true`, `"available":["en","ru"]`},
			AfterTestFunc:   expectContentLanguage("ru"),
		},
		{
			Name:               "Kyrgyz asked and published: no fallback",
			URL:                url + "?lang=ky",
			BeforeTestFunc:     addAppealVersion("ky", "published"),
			ExpectedContent:    []string{`"language":"ky"`, `"fallback":false`, `"title":"Обращение (ky)"`},
			NotExpectedContent: []string{`"notice"`},
			AfterTestFunc:      expectContentLanguage("ky"),
		},
		{
			Name:               "a draft translation is not served to the public",
			URL:                url + "?lang=ky",
			BeforeTestFunc:     addAppealVersion("ky", "draft"),
			ExpectedContent:    []string{`"language":"en"`, `"fallback":true`, `"available":["en"]`},
			NotExpectedContent: []string{`Обращение (ky)`},
		},
		{
			Name:            "unknown slug",
			URL:             "/api/aman/content/appeals/no-such-appeal?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"message":"Запрошенный ресурс не найден."`},
		},
		{
			Name:            "a collection without language versions",
			URL:             "/api/aman/content/incident_reports/x?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
		},
	}
	for _, s := range scenarios {
		s.Method = http.MethodGet
		if s.ExpectedStatus == 0 {
			s.ExpectedStatus = http.StatusOK
		}
		s.TestAppFactory = testapp.Factory
		s.ExpectedEvents = map[string]int{"*": 0, "OnRecordEnrich": 1}
		if s.ExpectedStatus != http.StatusOK {
			s.ExpectedEvents = map[string]int{"*": 0}
		}
		s.Test(t)
	}
}
