package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A REST create or update refused with one field error of a project code
// said "Failed to create record." or "Failed to update record." on top,
// while the same refusal in /api/batch had its reason there: a client that
// shows only the top-level message (the SDK's error.message, the
// dashboard's toast) could not say why. The reason is on top now, in the
// caller's language; data stays as PocketBase wrote it. Several field
// errors, or PocketBase's own codes, keep the generic message.
func TestREST_ReasonOnTop(t *testing.T) {
	transition := map[string]string{
		"en": "Cannot change status from open to fulfilled.",
		"ru": "Нельзя сменить статус с «Открыт» на «Выполнен».",
	}
	phone := map[string]string{
		"en": "Enter a phone number of 5 to 15 digits, such as +992 92 123 4567.",
		"ru": "Укажите номер телефона из 5–15 цифр, например +992 92 123 4567.",
	}
	onTop := func(msg string) string { return `"message":"` + msg + `","status":400}` }
	aid := func(phone string) string {
		return fmt.Sprintf(`{"requester":%q,"region":"sughd","needs":["water"],"urgency":"high","contact_phone":%q}`,
			fixtures.Volunteer, phone)
	}
	skip := `{"status":"fulfilled"}` // open → fulfilled skips acknowledged
	type reasonCase struct {
		as, name, lang, method, url, body string
		want                              []string
		notWant                           []string
	}
	cases := []reasonCase{
		{fixtures.Coordinator, "update: a status the workflow does not allow", "en", http.MethodPatch, aidURL + "/" + fixtures.AidOpen, skip,
			[]string{`{"data":{"status":{"code":"workflow_invalid_transition","message":"` + transition["en"] + `"`, onTop(transition["en"])},
			[]string{"Failed to update record."}},
		{fixtures.Coordinator, "update, ru", "ru", http.MethodPatch, aidURL + "/" + fixtures.AidOpen, skip,
			[]string{`"code":"workflow_invalid_transition","message":"` + transition["ru"] + `"`, onTop(transition["ru"])}, nil},
		{fixtures.Volunteer, "create: a phone number that is none", "en", http.MethodPost, aidURL, aid("+"),
			[]string{`{"data":{"contact_phone":{"code":"workflow_phone_invalid","message":"` + phone["en"] + `"}}`, onTop(phone["en"])},
			[]string{"Failed to create record."}},
		{fixtures.Volunteer, "create, ru", "ru", http.MethodPost, aidURL, aid("+"),
			[]string{`"code":"workflow_phone_invalid"`, onTop(phone["ru"])}, nil},
		{fixtures.Volunteer, "several field errors keep the generic message", "en", http.MethodPost, aidURL,
			`{"requester":"` + fixtures.Volunteer + `"}`,
			[]string{`"region":{"code":"validation_required"`, onTop("Failed to create record.")}, nil},
		{fixtures.Volunteer, "several field errors keep the generic message, ru", "ru", http.MethodPost, aidURL,
			`{"requester":"` + fixtures.Volunteer + `"}`,
			[]string{`"region":{"code":"validation_required"`, onTop("Не удалось создать запись.")}, nil},
		{fixtures.Volunteer, "one of PocketBase's own codes keeps the generic message", "en", http.MethodPost, aidURL,
			strings.Replace(aid(""), `"high"`, `"none-such"`, 1),
			[]string{`"urgency":{"code":"validation_invalid_value"`, onTop("Failed to create record.")}, nil},
	}
	for _, c := range cases {
		scenario := fixtures.Scenario(c.as, tests.ApiScenario{
			Name:   strings.ReplaceAll(c.name, " ", "_"),
			Method: c.method, URL: c.url, Body: strings.NewReader(c.body),
			Headers:            map[string]string{"Accept-Language": c.lang},
			ExpectedStatus:     400,
			ExpectedContent:    c.want,
			NotExpectedContent: c.notWant,
		})
		scenario.Test(t)
	}
}
