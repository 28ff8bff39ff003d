package review_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/locale"
	"aman/review"
)

// TestMessages_EveryLanguage: every string of the screen has a text in
// every supported language (not English standing in for one).
func TestMessages_EveryLanguage(t *testing.T) {
	for _, m := range review.Messages {
		for _, lang := range locale.Languages {
			if !locale.Has(lang, m.ID) {
				t.Errorf("%s has no %s text", m.ID, lang)
			}
		}
		if strings.Contains(m.Other, "{{") {
			t.Errorf("%s has a placeholder, which the screen does not fill", m.ID)
		}
	}
}

func TestMessages_Route(t *testing.T) {
	const url = "/api/aman/review/messages"
	scenarios := []tests.ApiScenario{
		{
			Name:            "?lang= picks the language",
			URL:             url + "?lang=tg",
			ExpectedContent: []string{`"language":"tg"`, `"review_sign_in":"Ворид шудан"`, `"languages":["en","ru","tg","ky","uz-Cyrl"]`},
		},
		{
			Name:            "Accept-Language, without an account",
			URL:             url,
			Headers:         map[string]string{"Accept-Language": "ky-KG,ru;q=0.8"},
			ExpectedContent: []string{`"language":"ky"`, `"review_sign_in":"Кирүү"`},
		},
		{
			Name:            "an Uzbek browser reads Cyrillic Uzbek",
			URL:             url,
			Headers:         map[string]string{"Accept-Language": "uz-Latn"},
			ExpectedContent: []string{`"language":"uz-Cyrl"`, `"review_sign_in":"Кириш"`},
		},
		fixtures.Scenario(fixtures.Coordinator, tests.ApiScenario{
			Name:    "the account's language beats the browser's",
			URL:     url,
			Headers: map[string]string{"Accept-Language": "en"},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				u, err := app.FindRecordById("users", fixtures.Coordinator)
				if err != nil {
					t.Fatal(err)
				}
				u.Set("language", "ru")
				if err := app.Save(u); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedContent: []string{`"language":"ru"`, `"review_sign_in":"Войти"`},
		}),
	}
	for _, s := range scenarios {
		s.Method = http.MethodGet
		s.ExpectedStatus = 200
		if s.TestAppFactory == nil {
			s.TestAppFactory = fixtures.Factory
		}
		for _, id := range []string{"review_title", "review_volunteer_note"} {
			s.ExpectedContent = append(s.ExpectedContent, `"`+id+`":`)
		}
		s.Test(t)
	}
}
