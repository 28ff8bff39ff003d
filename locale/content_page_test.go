package locale_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestContent_PagePastTheEnd: a page past the last, however far, is an
// empty page, as PocketBase's lists answer; the refusal's message ("a
// whole number from 1") would not be true of it.
func TestContent_PagePastTheEnd(t *testing.T) {
	for _, page := range []string{"2", "1000000", "1000001", "9223372036854775807"} {
		run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
			Name:               "page " + page,
			Method:             http.MethodGet,
			URL:                "/api/aman/content/updates?lang=ru&page=" + page,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"page":` + page + `,`, `"items":[]`},
			NotExpectedContent: []string{"content_invalid_page"},
			ExpectedEvents:     map[string]int{"*": 0},
		}))
	}
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "page 0 is still refused",
		Method:          http.MethodGet,
		URL:             "/api/aman/content/updates?lang=ru&page=0",
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"page":{"code":"content_invalid_page","message":"Должно быть целым числом не меньше 1."}`},
		ExpectedEvents:  map[string]int{"*": 0},
	}))
}
