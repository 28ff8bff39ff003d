package syncapi

import (
	"math"

	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
)

// localizeFields localizes the messages of per-field validation errors;
// their codes and params stay.
func localizeFields(e *core.RequestEvent, fields map[string]any) map[string]any {
	return locale.LocalizeData(locale.FromRequest(e), fields)
}

// relocalize puts the messages of a stored rejection in the language of the
// push that replays it, which may not be the language of the push that
// stored it: the answer was lost, then the phone's or the account's
// language changed, or another person signed in on a shared phone with
// ?lang=. Codes and params stay. It reports whether anything changed: a
// replay in the stored language (its message is the one of its code in
// this language) is left byte for byte. A field code no catalog has keeps
// its stored message.
func relocalize(e *core.RequestEvent, re *resultError) bool {
	if re == nil {
		return false
	}
	msg := message(e, re.Code)
	if msg == re.Message {
		return false
	}
	re.Message = msg
	lang := locale.FromRequest(e)
	for k, v := range re.Fields {
		re.Fields[k] = relocalizeField(lang, v)
	}
	return true
}

func relocalizeField(lang string, v any) any {
	item, ok := v.(map[string]any)
	if !ok {
		return v
	}
	code, isCode := item["code"].(string)
	if _, isMessage := item["message"].(string); !isCode || !isMessage {
		for k, nested := range item {
			item[k] = relocalizeField(lang, nested)
		}
		return item
	}
	params, _ := item["params"].(map[string]any)
	if msg, ok := locale.LocalizeCode(lang, code, wholeNumbers(params)); ok {
		item["message"] = msg
	}
	return item
}

// wholeNumbers is params as decoded from JSON (numbers are float64), with
// whole numbers made int64 again: go-i18n picks a plural form for integers
// only.
func wholeNumbers(params map[string]any) map[string]any {
	if len(params) == 0 {
		return params
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			v = int64(f)
		}
		out[k] = v
	}
	return out
}
