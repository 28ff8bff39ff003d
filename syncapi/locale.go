package syncapi

import (
	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
)

// localize returns the message of code in the request's language (see
// locale.FromRequest), falling back to English, and to the code itself for
// a code the catalog lacks (a bug its tests catch).
func localize(e *core.RequestEvent, code string) string {
	for _, lang := range []string{locale.FromRequest(e), locale.English} {
		if msg, ok := locale.LocalizeCode(lang, code, nil); ok {
			return msg
		}
	}
	return code
}

// localizeFields localizes the messages of per-field validation errors;
// their codes and params stay.
func localizeFields(e *core.RequestEvent, fields map[string]any) map[string]any {
	return locale.LocalizeData(locale.FromRequest(e), fields)
}
