package locale_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestErrors_ListLimits: PocketBase answers a list over its search limits
// (filter conditions, filter length, sort fields, a sort field's length)
// with a bare "Something went wrong while processing your request." and
// no data. The answer names the limit instead, with a stable code under
// data.filter or data.sort, params.max, and the same message on top, in
// the caller's language; for anonymous readers and signed-in users alike.
func TestErrors_ListLimits(t *testing.T) {
	conditions := strings.TrimSuffix(strings.Repeat(`id!="x" && `, 201), " && ")
	long := `name_en!="` + strings.Repeat("a", 3500) + `"`
	limits := []struct {
		name, query, param, code, max string
		message                       map[string]string
	}{
		{"201 conditions", "filter=" + url.QueryEscape(conditions), "filter", "list_filter_too_complex", "200", map[string]string{
			"en": "The filter is too complex: it may have at most 200 conditions.",
			"ru": "Фильтр слишком сложный: условий в нём может быть не более 200.",
		}},
		{"a filter of 3513 characters", "filter=" + url.QueryEscape(long), "filter", "list_filter_too_long", "3500", map[string]string{
			"en": "The filter is too long: it may have at most 3500 characters.",
			"ru": "Фильтр слишком длинный: символов в нём может быть не более 3500.",
		}},
		{"9 sort fields", "sort=" + strings.TrimSuffix(strings.Repeat("id,", 9), ","), "sort", "list_sort_too_many", "8", map[string]string{
			"en": "Sort by at most 8 fields.",
			"ru": "Полей сортировки может быть не более 8.",
		}},
		{"a sort field of 256 characters", "sort=" + strings.Repeat("a", 256), "sort", "list_sort_field_too_long", "255", map[string]string{
			"en": "A sort field is too long: it may have at most 255 characters.",
			"ru": "Поле сортировки слишком длинное: символов в нём может быть не более 255.",
		}},
	}
	callers := []struct {
		as, collection string
	}{
		{fixtures.Anonymous, "districts"},
		{fixtures.Volunteer, "incident_reports"},
	}
	for _, l := range limits {
		for _, c := range callers {
			for _, lang := range []string{"en", "ru"} {
				headers := map[string]string{}
				if lang == "ru" {
					headers["Accept-Language"] = "ru"
				}
				run(t, fixtures.Scenario(c.as, tests.ApiScenario{
					Name:           l.name + " as " + fixtures.Role(c.as) + " in " + lang,
					Method:         http.MethodGet,
					URL:            "/api/collections/" + c.collection + "/records?" + l.query,
					Headers:        headers,
					ExpectedStatus: http.StatusBadRequest,
					ExpectedContent: []string{
						`"data":{"` + l.param + `":{"code":"` + l.code + `","message":"` + l.message[lang] + `","params":{"max":` + l.max + `}}}`,
						`"message":"` + l.message[lang] + `","status":400`,
					},
					ExpectedEvents: map[string]int{"*": 0},
				}))
			}
		}
	}
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "200 conditions are listed",
		Method:          http.MethodGet,
		URL:             "/api/collections/districts/records?perPage=1&filter=" + url.QueryEscape(strings.TrimSuffix(strings.Repeat(`id!="x" && `, 200), " && ")),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{`"perPage":1`},
		ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 1},
	}))
}
