package locale

import (
	"errors"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
)

// apiMessageIDs maps the English top-level messages of apiMessages to
// their IDs.
var apiMessageIDs = func() map[string]string {
	m := make(map[string]string, len(apiMessages))
	for _, msg := range apiMessages {
		m[inflector.Sentenize(msg.Other)] = msg.ID
	}
	return m
}()

// LocalizeApiError returns a copy of apiErr whose `message` and every
// `data…message` are in lang. Codes, params, statuses and the raw error
// (for the logs) stay as they are. Nested batch responses are localized
// too. English returns apiErr itself: PocketBase's text is the source, and
// it may carry runtime details the catalog's text has not.
//
// A top-level message the catalog does not know stays as it is unless its
// status says enough (see statusMessage): project code that returns its
// own message localizes it itself with T.
//
// A refusal whose one field error carries the reason (see reasonOf) gets
// that reason as its top-level message too, in English as well, and so
// does a failed batch whose failing request's one field error has a
// project code (see batchReason).
func LocalizeApiError(lang string, apiErr *router.ApiError) *router.ApiError {
	if apiErr == nil {
		return nil
	}
	if lang == English || !Supported(lang) {
		return withReasons(apiErr)
	}
	out := *apiErr // keeps the unexported raw data for the activity log
	out.Message = localizeApiMessage(lang, apiErr.Status, apiErr.Message)
	if reason, ok := reasonOf(lang, apiErr); ok {
		out.Message = reason
	} else if reason, ok := batchReason(lang, apiErr); ok {
		out.Message = reason
	}
	out.Data = localizeData(lang, apiErr.Data)
	return &out
}

// reasonOf returns, in lang, the reason of a refusal whose top-level
// message does not say it: an error whose data holds one field error with
// a code of this project (projectErrorMessages), and whose top-level
// message is either one of PocketBase's generic messages of a failed
// record write (genericWriteFailures: a failed create or update, as a
// batch's failing request has it too, see batchReason; a failed delete,
// which blames "a required relation reference" for whatever a delete hook
// refused: a report a published update relates to, an organization still
// named), or the field error's own English message, as project code that
// builds its answer sets it (the list limits). The field error's message
// is the reason: a client that shows only the top-level message (the
// official SDK's error.message, the dashboard's toast) shows why.
func reasonOf(lang string, apiErr *router.ApiError) (string, bool) {
	item, ok := projectItem(apiErr)
	if !ok {
		return "", false
	}
	if !genericWriteFailures[apiMessageIDs[inflector.Sentenize(apiErr.Message)]] && apiErr.Message != item["message"] {
		return "", false
	}
	return itemMessage(lang, item)
}

// genericWriteFailures are the top-level messages of PocketBase's record
// handlers that say a write failed and not why.
var genericWriteFailures = map[string]bool{
	"api_record_create_failed": true,
	"api_record_update_failed": true,
	"api_record_delete_failed": true,
}

// batchReason returns, in lang, the reason of a failed /api/batch: when
// its one failing request (data.requests.<i>.response) was refused with
// one field error of a project code (a refused delete, a status the
// workflow does not allow), that field error's message becomes the batch's
// top-level message instead of "Batch transaction failed.", so a client
// that shows only error.message says why. Which request failed stays in
// data, as PocketBase wrote it.
func batchReason(lang string, apiErr *router.ApiError) (string, bool) {
	if apiMessageIDs[inflector.Sentenize(apiErr.Message)] != "api_batch_failed" || len(apiErr.Data) != 1 {
		return "", false
	}
	requests, _ := apiErr.Data["requests"].(map[string]any)
	if len(requests) != 1 {
		return "", false
	}
	for _, v := range requests {
		failed, _ := v.(map[string]any)
		resp, ok := failed["response"].(*router.ApiError)
		if !ok {
			return "", false
		}
		item, ok := projectItem(resp)
		if !ok {
			return "", false
		}
		return itemMessage(lang, item)
	}
	return "", false
}

// projectItem returns the one field error of apiErr's data when it has a
// code of this project (projectErrorMessages).
func projectItem(apiErr *router.ApiError) (map[string]any, bool) {
	if len(apiErr.Data) != 1 {
		return nil, false
	}
	for _, v := range apiErr.Data {
		item, ok := v.(map[string]any)
		if ok && isErrorItem(item) && projectCodes[item["code"].(string)] {
			return item, true
		}
	}
	return nil, false
}

// itemMessage is a field error's message in lang: its own in English.
func itemMessage(lang string, item map[string]any) (string, bool) {
	if lang == English {
		return item["message"].(string), true
	}
	params, _ := item["params"].(map[string]any)
	return localizeCode(lang, item["code"].(string), params)
}

// projectCodes are the codes of projectErrorMessages.
var projectCodes = func() map[string]bool {
	m := make(map[string]bool, len(projectErrorMessages))
	for _, msg := range projectErrorMessages {
		m[msg.ID] = true
	}
	return m
}()

// withReasons is apiErr in English with the reasons of reasonOf (or
// batchReason) as its top-level message and its nested batch responses' (data.requests.<i>.
// response): a copy where one changes, apiErr itself otherwise, so that
// every other English answer stays byte for byte PocketBase's.
func withReasons(apiErr *router.ApiError) *router.ApiError {
	reason, changed := reasonOf(English, apiErr)
	if !changed {
		reason, changed = batchReason(English, apiErr)
	}
	data := apiErr.Data
	if requests, ok := data["requests"].(map[string]any); ok {
		var copied map[string]any
		for k, v := range requests {
			item, ok := v.(map[string]any)
			if !ok {
				continue
			}
			resp, ok := item["response"].(*router.ApiError)
			if !ok {
				continue
			}
			if explained := withReasons(resp); explained != resp {
				if copied == nil {
					copied = maps.Clone(requests)
				}
				item = maps.Clone(item)
				item["response"] = explained
				copied[k] = item
			}
		}
		if copied != nil {
			data = maps.Clone(data)
			data["requests"] = copied
			changed = true
		}
	}
	if !changed {
		return apiErr
	}
	out := *apiErr
	if reason != "" {
		out.Message = reason
	}
	out.Data = data
	return &out
}

func localizeApiMessage(lang string, status int, message string) string {
	id, ok := apiMessageIDs[inflector.Sentenize(message)]
	if !ok {
		for _, m := range apiPrefixMessages {
			rest, found := strings.CutPrefix(message, m.Prefix)
			if !found {
				continue
			}
			if field, found := strings.CutSuffix(rest, m.Suffix); found && field != "" {
				return T(lang, m.ID, map[string]any{"field": field})
			}
		}
	}
	if !ok {
		id, ok = statusMessage(status)
	}
	if !ok {
		return message
	}
	return T(lang, id, nil)
}

// statusMessage is the message for an unknown message of a status whose
// meaning is unambiguous: the generic one of 5xx (internals are for the
// logs), 413 and 429.
func statusMessage(status int) (string, bool) {
	switch {
	case status >= http.StatusInternalServerError:
		return apiInternal, true
	case status == http.StatusRequestEntityTooLarge:
		return "api_request_too_large", true
	case status == http.StatusTooManyRequests:
		return "api_too_many_requests", true
	}
	return "", false
}

// LocalizeData returns a copy of an error's resolved data (router.ApiError's
// Data: {field: {code, message[, params]}}, nested maps, batch responses)
// with every message in lang; codes and params are kept. A code no file
// has keeps its message. English returns data as it is.
func LocalizeData(lang string, data map[string]any) map[string]any {
	if lang == English || !Supported(lang) {
		return data
	}
	return localizeData(lang, data)
}

func localizeData(lang string, data map[string]any) map[string]any {
	if data == nil {
		return nil
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = localizeValue(lang, v)
		if listFields[k] {
			countItems(lang, out[k])
		}
	}
	return out
}

// listFields are the fields whose validation_length_too_long counts list
// items, not characters: PocketBase checks with the same rule the number of
// a batch's requests (settings.batch.maxRequests) and of a realtime
// client's subscriptions (1000). Its English says "the length must be no
// more than 50"; the catalog's length messages say characters, which is
// right for every string and wrong for these.
var listFields = map[string]bool{"requests": true, "subscriptions": true}

// countItems gives a localized validation_length_too_long item of a list
// field the message of validation_list_too_long; its code stays.
func countItems(lang string, v any) {
	item, ok := v.(map[string]any)
	if !ok || !isErrorItem(item) || item["code"] != "validation_length_too_long" {
		return
	}
	params, _ := item["params"].(map[string]any)
	if msg, ok := localizeCode(lang, "validation_list_too_long", params); ok {
		item["message"] = msg
	}
}

func localizeValue(lang string, v any) any {
	switch x := v.(type) {
	case *router.ApiError:
		return LocalizeApiError(lang, x)
	case map[string]any:
		if isErrorItem(x) {
			return localizeItem(lang, x)
		}
		return localizeData(lang, x)
	}
	return v
}

// isErrorItem reports whether m is one resolved error, as router.ApiError
// serializes it: {code, message[, params][, response]}.
func isErrorItem(m map[string]any) bool {
	_, hasCode := m["code"].(string)
	_, hasMessage := m["message"].(string)
	return hasCode && hasMessage
}

func localizeItem(lang string, item map[string]any) map[string]any {
	out := make(map[string]any, len(item))
	for k, v := range item {
		out[k] = v
	}
	code := item["code"].(string)
	params, _ := item["params"].(map[string]any)
	message, _ := item["message"].(string)
	if msg, ok := localizeCode(lang, code, countFromMessage(code, params, message)); ok {
		out["message"] = msg
	}
	if resp, ok := item["response"]; ok {
		out["response"] = localizeValue(lang, resp)
	}
	return out
}

// localizeCode renders the message of an error code in lang, with params as
// template data and, for codes listed in countParams, the plural form the
// count asks for. It reports false for a code no message file has.
func localizeCode(lang, code string, params map[string]any) (string, bool) {
	cfg := &i18n.LocalizeConfig{MessageID: code, TemplateData: templateData(lang, params)}
	if name, ok := countParams[code]; ok {
		if n, ok := params[name]; ok {
			cfg.PluralCount = n
		}
	}
	msg, err := Localizer(lang).Localize(cfg)
	if err != nil {
		return "", false
	}
	return msg, true
}

// firstNumber is the first whole number of an English message.
var firstNumber = regexp.MustCompile(`\d+`)

// countFromMessage returns params with the count of code read back from
// its English message when PocketBase sent the number in the text only.
// The password field builds validation_min_text_constraint and
// validation_max_text_constraint with fmt.Sprintf ("Must be at least 8
// character(s)") and no params, so the translation, which says
// {{.min}}/{{.max}}, would otherwise read "<no value>". params itself is
// never changed: the response keeps what PocketBase sent.
func countFromMessage(code string, params map[string]any, message string) map[string]any {
	name, ok := countParams[code]
	if !ok {
		return params
	}
	if _, ok := params[name]; ok {
		return params
	}
	n, err := strconv.Atoi(firstNumber.FindString(message))
	if err != nil {
		return params
	}
	out := make(map[string]any, len(params)+1)
	for k, v := range params {
		out[k] = v
	}
	out[name] = n
	return out
}

// LocalizeCode renders the message of an error code (validation_*,
// workflow_*, sync_*…) in lang with its params, in the right plural form.
// It reports false when no message file has the code.
func LocalizeCode(lang, code string, params map[string]any) (string, bool) {
	return localizeCode(lang, code, params)
}

// templateData is params with status values replaced by their labels.
func templateData(lang string, params map[string]any) map[string]any {
	if len(params) == 0 {
		return params
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		out[k] = v
	}
	for _, k := range statusParams {
		if v, ok := params[k].(string); ok && v != "" {
			out[k] = firstLabel(lang, v, "label.status."+v)
		}
	}
	return out
}

// LocalizeError turns any error into the public error shape, in lang:
//
//	{"status": 400, "code": "validation_required", "message": "…", "data": {…}}
//
// A validation.Error (one rule failed) keeps its code and gets its message
// localized; validation.Errors (several fields) becomes a 400 with
// code "validation_failed" and each field localized under data; anything
// else goes through router.ToApiError, so a *router.ApiError keeps its
// status and the code is "api_error" (PocketBase gives these no code).
// Internal details never reach the message. For the sync engine's
// per-mutation results and any endpoint that answers with a body of its own.
func LocalizeError(lang string, err error) map[string]any {
	if err == nil {
		return nil
	}
	var item validation.Error
	if errors.As(err, &item) && !isErrors(err) {
		msg, ok := localizeCode(lang, item.Code(), countFromMessage(item.Code(), item.Params(), item.Error()))
		if !ok {
			msg = inflector.Sentenize(item.Error())
		}
		return map[string]any{"status": http.StatusBadRequest, "code": item.Code(), "message": msg, "data": map[string]any{}}
	}
	code := "api_error"
	if isErrors(err) {
		code = "validation_failed"
		err = router.NewBadRequestError("An error occurred while validating the submitted data.", err)
	}
	loc := LocalizeApiError(lang, router.ToApiError(err))
	return map[string]any{"status": loc.Status, "code": code, "message": loc.Message, "data": loc.Data}
}

func isErrors(err error) bool {
	var errs validation.Errors
	return errors.As(err, &errs)
}
