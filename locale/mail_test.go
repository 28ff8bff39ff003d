package locale_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// TestMail_VerificationThroughTheAPI: a volunteer whose language is
// Tajik asks for a verification e-mail and reads it in Tajik, with the
// dashboard's confirmation link intact.
func TestMail_VerificationThroughTheAPI(t *testing.T) {
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:           "request-verification for a Tajik user",
		Method:         http.MethodPost,
		URL:            "/api/collections/users/request-verification",
		Body:           strings.NewReader(`{"email":"` + fixtures.Volunteer + `@example.org"}`),
		BeforeTestFunc: setUser(fixtures.Volunteer, map[string]any{"language": "tg"}),
		Delay:          200 * time.Millisecond,
		ExpectedStatus: http.StatusNoContent,
		ExpectedEvents: map[string]int{
			"OnRecordRequestVerificationRequest": 1,
			"OnMailerSend":                       1,
			"OnMailerRecordVerificationSend":     1,
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			if app.TestMailer.TotalSend() != 1 {
				t.Fatalf("sent %d e-mails", app.TestMailer.TotalSend())
			}
			m := app.TestMailer.LastMessage()
			t.Logf("Subject: %s\n%s", m.Subject, m.HTML) // read it with go test -v
			if !strings.HasPrefix(m.Subject, "Почтаи электронии худро дар ") {
				t.Errorf("subject %q", m.Subject)
			}
			for _, want := range []string{
				"Ассалому алайкум!",
				"Барои тасдиқи суроғаи почтаи электронӣ тугмаи зеринро пахш кунед.",
				`/_/#/auth/confirm-verification/`,
				">Тасдиқ кардан</a>",
			} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
				}
			}
			if strings.Contains(m.HTML, "Thank you for joining") {
				t.Errorf("English left in the HTML")
			}
		},
	}))
}

// TestMail_EveryKind: each e-mail PocketBase sends a user comes in their
// language; an English user keeps PocketBase's own text.
func TestMail_EveryKind(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	user := func(lang string) *core.Record {
		u, err := app.FindRecordById("users", fixtures.Volunteer)
		if err != nil {
			t.Fatal(err)
		}
		u.Set("language", lang)
		if err := app.Save(u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	scenarios := []struct {
		name, lang      string
		send            func(*core.Record) error
		subject, inBody string
	}{
		{"verification ky", "ky", func(u *core.Record) error { return mails.SendRecordVerification(app, u) },
			"үчүн электрондук почтаңызды ырастаңыз", "Ырастоо</a>"},
		{"password reset ru", "ru", func(u *core.Record) error { return mails.SendRecordPasswordReset(app, u) },
			"Сброс пароля в ", "/_/#/auth/confirm-password-reset/"},
		{"email change uz-Cyrl", "uz-Cyrl", func(u *core.Record) error { return mails.SendRecordChangeEmail(app, u, "new@example.org") },
			"учун янги электрон почта манзилингизни тасдиқланг", "Янги манзилни тасдиқлаш</a>"},
		{"otp tg", "tg", func(u *core.Record) error { return mails.SendRecordOTP(app, u, "otpid", "123456") },
			"Пароли яккаратаи шумо барои ", "<strong>123456</strong>"},
		{"login alert ru", "ru", func(u *core.Record) error { return mails.SendRecordAuthAlert(app, u, "Firefox <on> Linux") },
			"Вход из нового места", "<em>Firefox &lt;on&gt; Linux</em>"},
		{"english stays PocketBase's", "en", func(u *core.Record) error { return mails.SendRecordVerification(app, u) },
			"Verify your ", "Thank you for joining us at"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			app.TestMailer.Reset()
			if err := s.send(user(s.lang)); err != nil {
				t.Fatal(err)
			}
			m := app.TestMailer.LastMessage()
			if !strings.Contains(m.Subject, s.subject) {
				t.Errorf("subject %q lacks %q", m.Subject, s.subject)
			}
			if !strings.Contains(m.HTML, s.inBody) {
				t.Errorf("HTML lacks %q:\n%s", s.inBody, m.HTML)
			}
		})
	}
}
