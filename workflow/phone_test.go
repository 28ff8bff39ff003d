package workflow_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A beneficiary's phone is how a coordinator reaches them: "+" or dashes
// alone passed the field's pattern, and a letter got PocketBase's bare
// "Invalid value format". A number has 5 to 15 digits, and the message
// says so in the volunteer's language.
func TestContactPhone(t *testing.T) {
	aid := func(phone string) string {
		return fmt.Sprintf(`{"requester":%q,"region":"sughd","needs":["water"],"urgency":"high","contact_phone":%q}`,
			fixtures.Volunteer, phone)
	}
	refused := []string{`"contact_phone":{"code":"workflow_phone_invalid","message":"Укажите номер телефона из 5–15 цифр, например +992 92 123 4567."}`}
	scenarios := []apiCase{
		{fixtures.Volunteer, "a plus alone", http.MethodPost, aidURL, aid("+"), nil, 400, refused},
		{fixtures.Volunteer, "dashes and spaces", http.MethodPost, aidURL, aid(" - - "), nil, 400, refused},
		{fixtures.Volunteer, "a letter", http.MethodPost, aidURL, aid("+992 92 ABC 4567"), nil, 400, refused},
		{fixtures.Volunteer, "four digits", http.MethodPost, aidURL, aid("1234"), nil, 400, refused},
		{fixtures.Volunteer, "sixteen digits", http.MethodPost, aidURL, aid("+1234567890123456"), nil, 400, refused},
		{fixtures.Volunteer, "a Tajik mobile", http.MethodPost, aidURL, aid("+992 (92) 123-45-67"), nil, 200,
			[]string{`"contact_phone":"+992 (92) 123-45-67"`}},
		{fixtures.Volunteer, "a Kyrgyz mobile", http.MethodPost, aidURL, aid("0555 123 456"), nil, 200,
			[]string{`"contact_phone":"0555 123 456"`}},
		{fixtures.Volunteer, "none", http.MethodPost, aidURL, aid(""), nil, 200, []string{`"contact_phone":""`}},
		{fixtures.Coordinator, "a stored bad number does not block a review", http.MethodPatch, aidURL + "/" + fixtures.AidOpen,
			`{"status":"acknowledged"}`,
			func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				r, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
				if err != nil {
					t.Fatal(err)
				}
				r.Set("contact_phone", "+")
				if err := app.SaveNoValidate(r); err != nil {
					t.Fatal(err)
				}
			}, 200, []string{`"status":"acknowledged"`}},
	}
	runCases(t, "ru", scenarios)
}
