package locale_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/mails"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// TestMail_CustomTemplateKeepsItsLink: an operator's template whose link
// is not PocketBase's class="btn" button still gets its link into the
// translated e-mail; a template whose link cannot be found at all keeps
// PocketBase's e-mail rather than sending one the user cannot act on.
func TestMail_CustomTemplateKeepsItsLink(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	users.VerificationTemplate.Body = `<p>Hello,</p><p><a href="https://app.example.org/verify?lang=en&amp;token={TOKEN}">Verify in the app</a></p>`
	users.ResetPasswordTemplate.Body = `<p>Hello,</p><p>Open the app and enter this code: {TOKEN}</p>`
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
	u, err := app.FindRecordById("users", fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	u.Set("language", "ru")
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}

	if err := mails.SendRecordVerification(app, u); err != nil {
		t.Fatal(err)
	}
	m := app.TestMailer.LastMessage()
	for _, want := range []string{`href="https://app.example.org/verify?lang=en&amp;token=ey`, "Подтвердить</a>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("verification HTML lacks %q:\n%s", want, m.HTML)
		}
	}

	app.TestMailer.Reset()
	if err := mails.SendRecordPasswordReset(app, u); err != nil {
		t.Fatal(err)
	}
	m = app.TestMailer.LastMessage()
	if !strings.Contains(m.HTML, "enter this code: ey") {
		t.Errorf("password reset lost its token:\n%s", m.HTML)
	}
}
