package locale

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails/templates"
)

// The e-mails PocketBase sends users (verification, password reset, e-mail
// change, one-time password, login alert) are rewritten in the user's
// language (ForUser) just before they are sent. English ones are left as
// PocketBase rendered them from the collection's templates.
//
// The link of the action button is taken from the message PocketBase
// rendered, so a customized template's link (to the app rather than the
// dashboard, say) survives the translation.

// mailKind names the messages of one e-mail: mail_<kind>_subject, …_action,
// …_button, …_ignore (see catalog_project.go).
type mailKind string

const (
	mailVerification  mailKind = "verification"
	mailPasswordReset mailKind = "password_reset"
	mailEmailChange   mailKind = "email_change"
	mailOTP           mailKind = "otp"
	mailLoginAlert    mailKind = "login_alert"
)

func bindMails(app core.App) {
	bind := func(h interface {
		BindFunc(func(*core.MailerRecordEvent) error) string
	}, kind mailKind) {
		h.BindFunc(func(e *core.MailerRecordEvent) error {
			if err := localizeMail(e, kind); err != nil {
				return fmt.Errorf("localize %s mail: %w", kind, err)
			}
			return e.Next()
		})
	}
	bind(app.OnMailerRecordVerificationSend(UsersCollection), mailVerification)
	bind(app.OnMailerRecordPasswordResetSend(UsersCollection), mailPasswordReset)
	bind(app.OnMailerRecordEmailChangeSend(UsersCollection), mailEmailChange)
	bind(app.OnMailerRecordOTPSend(UsersCollection), mailOTP)
	bind(app.OnMailerRecordAuthAlertSend(UsersCollection), mailLoginAlert)
}

func localizeMail(e *core.MailerRecordEvent, kind mailKind) error {
	lang := ForUser(e.Record)
	if lang == English || e.Message == nil {
		return nil
	}
	m := mailContent{Lang: lang, Kind: kind, AppName: e.App.Settings().Meta.AppName}
	token, _ := e.Meta["token"].(string)
	m.ActionURL = actionURL(e.Message.HTML, token)
	if m.ActionURL == "" && token != "" {
		// The template has a link we cannot find (or none): PocketBase's
		// e-mail, in English, beats a translated one the user cannot act on.
		return nil
	}
	m.OTP, _ = e.Meta["password"].(string)
	m.AlertInfo, _ = e.Meta["info"].(string)
	body, err := m.render()
	if err != nil {
		return err
	}
	e.Message.Subject = T(lang, "mail_"+string(kind)+"_subject", map[string]any{"AppName": m.AppName})
	e.Message.HTML = body
	e.Message.Text = "" // regenerated from HTML by the mailer
	return nil
}

var (
	buttonHref = regexp.MustCompile(`<a[^>]*class="btn"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*class="btn"`)
	anyHref    = regexp.MustCompile(`<a\s[^>]*href="([^"]+)"`)
)

// actionURL is the link the user must follow: the first class="btn" link
// (PocketBase's templates), else, in a customized template without that
// class, the first link that carries the e-mail's token. It is "" when
// there is neither.
func actionURL(body, token string) string {
	if u := firstButtonURL(body); u != "" {
		return u
	}
	if token == "" {
		return ""
	}
	for _, m := range anyHref.FindAllStringSubmatch(body, -1) {
		if u := html.UnescapeString(m[1]); strings.Contains(u, token) {
			return u
		}
	}
	return ""
}

// firstButtonURL returns the href of the first class="btn" link, unescaped
// once (html/template escapes it again).
func firstButtonURL(body string) string {
	m := buttonHref.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1] + m[2])
}

// mailContent is what one localized e-mail says. Strings are plain text:
// html/template escapes them, translators write no HTML.
type mailContent struct {
	Lang, AppName, ActionURL, OTP, AlertInfo string
	Kind                                     mailKind
}

func (m mailContent) t(suffix string) string {
	return T(m.Lang, "mail_"+string(m.Kind)+"_"+suffix, map[string]any{"AppName": m.AppName})
}

func (m mailContent) render() (string, error) {
	var content bytes.Buffer
	if err := mailBody.Execute(&content, m.view()); err != nil {
		return "", fmt.Errorf("render mail body: %w", err)
	}
	layout, err := template.New("layout").Parse(templates.Layout + templates.HTMLBody)
	if err != nil {
		return "", fmt.Errorf("parse mail layout: %w", err)
	}
	var out bytes.Buffer
	err = layout.Execute(&out, struct{ HTMLContent template.HTML }{template.HTML(content.String())})
	if err != nil {
		return "", fmt.Errorf("render mail layout: %w", err)
	}
	return out.String(), nil
}

type mailView struct {
	Greeting, Intro, Action, Button, Ignore, Warning, Thanks, Team string
	ActionURL                                                      template.URL
	OTP, AlertInfo                                                 string
}

func (m mailContent) view() mailView {
	v := mailView{
		Greeting: T(m.Lang, "mail_greeting", nil),
		Thanks:   T(m.Lang, "mail_thanks", nil),
		Team:     T(m.Lang, "mail_team", map[string]any{"AppName": m.AppName}),
		Action:   m.t("action"),
		Ignore:   m.t("ignore"),
		OTP:      m.OTP,
		// PocketBase escaped the alert info for HTML; html/template escapes
		// it again, so undo PocketBase's.
		AlertInfo: html.UnescapeString(m.AlertInfo),
	}
	switch m.Kind {
	case mailVerification:
		v.Intro = m.t("intro")
	case mailLoginAlert:
		v.Warning = m.t("warning")
	}
	if m.ActionURL != "" && m.Kind != mailOTP && m.Kind != mailLoginAlert {
		v.Button = m.t("button")
		v.ActionURL = template.URL(m.ActionURL)
	}
	return v
}

var mailBody = template.Must(template.New("body").Parse(`<p>{{.Greeting}}</p>
{{if .Intro}}<p>{{.Intro}}</p>
{{end}}<p>{{.Action}}{{if .OTP}} <strong>{{.OTP}}</strong>{{end}}</p>
{{if .AlertInfo}}<p><em>{{.AlertInfo}}</em></p>
{{end}}{{if .Warning}}<p><strong>{{.Warning}}</strong></p>
{{end}}{{if .Button}}<p>
  <a class="btn" href="{{.ActionURL}}" target="_blank" rel="noopener">{{.Button}}</a>
</p>
{{end}}<p><i>{{.Ignore}}</i></p>
<p>
  {{.Thanks}}<br/>
  {{.Team}}
</p>`))
