package syncapi

import "github.com/pocketbase/pocketbase/core"

// localize returns the message of code in the request's language, falling
// back to the English text.
func localize(e *core.RequestEvent, code, english string) string {
	return english
}

// localizeFields localizes the messages of per-field validation errors.
func localizeFields(e *core.RequestEvent, fields map[string]any) map[string]any {
	return fields
}
