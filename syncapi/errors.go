package syncapi

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// Stable error codes. Whole-request errors answer with their HTTP status
// and a JSON body {status, code, message, data}; per-mutation errors appear
// in a result's error {code, message, fields}. Codes never change; messages
// are localized.
const (
	CodeAuthRequired        = "sync_auth_required"
	CodeInvalidToken        = "sync_invalid_token"
	CodeUnsupportedProtocol = "sync_unsupported_protocol"
	CodeMalformedBody       = "sync_malformed_body"
	CodeBodyTooLarge        = "sync_body_too_large"
	CodeTooManyMutations    = "sync_too_many_mutations"
	CodeInvalidClient       = "sync_invalid_client"
	CodeClientTaken         = "sync_client_taken"
	CodeUnknownCollection   = "sync_unknown_collection"
	CodeInvalidLimit        = "sync_invalid_limit"
	CodeInternal            = "sync_internal_error"

	CodeInvalidMutation  = "sync_invalid_mutation"
	CodeForbidden        = "sync_forbidden"
	CodeValidationFailed = "sync_validation_failed"
	CodeNotFound         = "sync_not_found"
	CodeRecordExists     = "sync_record_exists"
	CodeRetryLater       = "sync_retry_later"
)

// englishMessages are the default (source) messages of every code.
var englishMessages = map[string]string{
	CodeAuthRequired:        "Sign in to push changes.",
	CodeInvalidToken:        "Your session has expired or is invalid. Sign in again.",
	CodeUnsupportedProtocol: "This app version uses a sync protocol the server does not support. Update the app.",
	CodeMalformedBody:       "The sync request could not be read.",
	CodeBodyTooLarge:        "The sync request is too large. Send fewer changes at once.",
	CodeTooManyMutations:    "Too many changes in one request: send at most 500.",
	CodeInvalidClient:       "The device id is missing or invalid.",
	CodeClientTaken:         "This device id belongs to another user. Sign in as that user or reinstall the app.",
	CodeUnknownCollection:   "This kind of data cannot be synced.",
	CodeInvalidLimit:        "The page size must be a whole number from 1 to 1000.",
	CodeInternal:            "The server could not complete the sync. Try again later.",

	CodeInvalidMutation:  "This change is malformed and was not applied.",
	CodeForbidden:        "You are not allowed to make this change.",
	CodeValidationFailed: "Some fields are invalid.",
	CodeNotFound:         "The record does not exist.",
	CodeRecordExists:     "A different record with this id already exists.",
	CodeRetryLater:       "The server could not apply this change now. It will be sent again.",
}

// message is the localization seam: the message of code for the language
// of the request.
func message(e *core.RequestEvent, code string) string {
	return localize(e, code, englishMessages[code])
}

// requestError is a whole-request failure.
type requestError struct {
	status int
	code   string
}

func (r *requestError) Error() string { return r.code }

func fail(status int, code string) *requestError { return &requestError{status: status, code: code} }

// writeError answers a whole-request failure in PocketBase's error shape
// plus the stable code.
func writeError(e *core.RequestEvent, err *requestError) error {
	return e.JSON(err.status, map[string]any{
		"status":  err.status,
		"code":    err.code,
		"message": message(e, err.code),
		"data":    map[string]any{},
	})
}

var (
	errAuthRequired = fail(http.StatusUnauthorized, CodeAuthRequired)
	errInvalidToken = fail(http.StatusUnauthorized, CodeInvalidToken)
	errProtocol     = fail(http.StatusUpgradeRequired, CodeUnsupportedProtocol)
	errMalformed    = fail(http.StatusBadRequest, CodeMalformedBody)
	errTooLarge     = fail(http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
	errTooMany      = fail(http.StatusBadRequest, CodeTooManyMutations)
	errClient       = fail(http.StatusBadRequest, CodeInvalidClient)
	errClientTaken  = fail(http.StatusForbidden, CodeClientTaken)
	errCollection   = fail(http.StatusBadRequest, CodeUnknownCollection)
	errLimit        = fail(http.StatusBadRequest, CodeInvalidLimit)
	errInternal     = fail(http.StatusInternalServerError, CodeInternal)
)
