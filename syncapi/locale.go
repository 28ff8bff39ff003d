package syncapi

import (
	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
)

// localize returns the message of code in the request's language (see
// locale.FromRequest), falling back to the English text of englishMessages.
func localize(e *core.RequestEvent, code, english string) string {
	if msg, ok := locale.LocalizeCode(locale.FromRequest(e), code, nil); ok {
		return msg
	}
	return english
}

// localizeFields localizes the messages of per-field validation errors;
// their codes and params stay.
func localizeFields(e *core.RequestEvent, fields map[string]any) map[string]any {
	return locale.LocalizeData(locale.FromRequest(e), fields)
}
