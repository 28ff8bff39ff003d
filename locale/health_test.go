package locale_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestHealth_Localized: GET /api/health said "API is healthy." in English
// to everyone. Its message is in the request's language now, like every
// other message; its shape, status and code stay (monitoring reads them),
// and so does what a superuser's answer adds.
func TestHealth_Localized(t *testing.T) {
	cases := []struct {
		as, name, url, lang string
		want                []string
		notWant             []string
	}{
		{fixtures.Anonymous, "ru", "/api/health", "ru", []string{`{"message":"API работает.","code":200,"data":{}}`}, nil},
		{fixtures.Anonymous, "tg", "/api/health", "tg", []string{`{"message":"API кор мекунад.","code":200,"data":{}}`}, nil},
		{fixtures.Anonymous, "ky by ?lang=", "/api/health?lang=ky", "", []string{`{"message":"API иштеп жатат.","code":200,"data":{}}`}, nil},
		{fixtures.Anonymous, "uz-Cyrl", "/api/health", "uz", []string{`{"message":"API ишламоқда.","code":200,"data":{}}`}, nil},
		{fixtures.Anonymous, "en as it was", "/api/health", "en", []string{`{"message":"API is healthy.","code":200,"data":{}}`}, nil},
		{fixtures.Volunteer, "a volunteer, ru", "/api/health", "ru", []string{`{"message":"API работает.","code":200,"data":{}}`}, nil},
		{fixtures.Superuser, "a superuser, tg: the data stays", "/api/health", "tg",
			[]string{`"message":"API кор мекунад.","code":200,"data":{"canBackup":true,"possibleProxyHeader":"","realIP":"`},
			[]string{"API is healthy."}},
	}
	for _, c := range cases {
		headers := map[string]string{}
		if c.lang != "" {
			headers["Accept-Language"] = c.lang
		}
		scenario := fixtures.Scenario(c.as, tests.ApiScenario{
			Name:   c.name,
			Method: http.MethodGet, URL: c.url,
			Headers:            headers,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    c.want,
			NotExpectedContent: c.notWant,
		})
		scenario.Test(t)
	}
}
