package locale_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestErrors_AuthFromAnotherCollection: auth-refresh and
// request-email-change of one auth collection with a token of another are
// refused with a message PocketBase builds at runtime around the token's
// collection ("The request requires auth record from users collection.");
// it is localized like the fixed ones, the collection's name kept.
func TestErrors_AuthFromAnotherCollection(t *testing.T) {
	for _, s := range []struct{ as, lang, url, want string }{
		{fixtures.Volunteer, "ru", "/api/collections/_superusers/auth-refresh", `"message":"Для этого запроса нужна учётная запись из коллекции users."`},
		{fixtures.Volunteer, "tg", "/api/collections/_superusers/request-email-change", `"message":"Барои ин дархост ҳисоби маҷмӯаи users лозим аст."`},
		{fixtures.Superuser, "ky", "/api/collections/users/auth-refresh", `"message":"Бул суроо үчүн _superusers топтомунун эсеби керек."`},
		{fixtures.Coordinator, "uz-Cyrl", "/api/collections/_superusers/auth-refresh", `"message":"Бу сўров учун users тўпламидаги ҳисоб керак."`},
		{fixtures.Volunteer, "en", "/api/collections/_superusers/auth-refresh", `"message":"The request requires auth record from users collection."`},
	} {
		run(t, fixtures.Scenario(s.as, tests.ApiScenario{
			Name:            s.lang + " " + s.url,
			Method:          http.MethodPost,
			URL:             s.url + "?lang=" + s.lang,
			Body:            strings.NewReader(`{"newEmail":"new@example.org"}`),
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{s.want, `"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   expectContentLanguage(s.lang),
		}))
	}
}
