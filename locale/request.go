package locale

import (
	"github.com/pocketbase/pocketbase/core"
)

// eventKey is where the language picked for a request is kept on the
// request event (batch sub-requests copy the store, so they share it).
const eventKey = "aman.locale.lang"

// UsersCollection is the auth collection whose `language` and `region`
// fields drive the choice of language.
const UsersCollection = "users"

// FromRequest returns the language of e, in this order:
//
//  1. ?lang= when it matches a supported language: an explicit choice for
//     this one request (a shared phone, a link to another language version);
//  2. the signed-in user's `language`: what they chose for their account
//     beats what the device happens to send;
//  3. Accept-Language, by quality, matched by base language (see Match);
//  4. RegionFallback of the signed-in user's `region`: Russian in Sughd and
//     Batken, English otherwise.
//
// The result is remembered on e, so once the locale middleware has run
// (right after the auth token is loaded) every handler sees the same value.
func FromRequest(e *core.RequestEvent) string {
	if lang, ok := e.Get(eventKey).(string); ok && lang != "" {
		return lang
	}
	return resolve(e)
}

func resolve(e *core.RequestEvent) string {
	if lang, ok := Match(e.Request.URL.Query().Get("lang")); ok {
		return lang
	}
	if lang, ok := userLanguage(e.Auth); ok {
		return lang
	}
	if lang, ok := Match(e.Request.Header.Get("Accept-Language")); ok {
		return lang
	}
	return RegionFallback(userField(e.Auth, "region"))
}

// ForUser returns the language to write to user in when there is no request
// (e-mails): their `language`, else RegionFallback of their `region`.
func ForUser(user *core.Record) string {
	if lang, ok := userLanguage(user); ok {
		return lang
	}
	return RegionFallback(userField(user, "region"))
}

func userLanguage(user *core.Record) (string, bool) {
	lang := userField(user, "language")
	if Supported(lang) {
		return lang, true
	}
	return Match(lang)
}

// userField reads a field of a users record; superusers and other auth
// collections have no language preferences.
func userField(user *core.Record, name string) string {
	if user == nil || user.Collection().Name != UsersCollection {
		return ""
	}
	return user.GetString(name)
}

// CodeMessage is the message of code in the request's language, else in
// English, else the code itself (a message missing from every catalog,
// which the catalog tests catch): the top-level message of an answer the
// server makes itself, such as a refused token.
func CodeMessage(e *core.RequestEvent, code string) string {
	for _, lang := range []string{FromRequest(e), English} {
		if msg, ok := LocalizeCode(lang, code, nil); ok {
			return msg
		}
	}
	return code
}
