package syncapi

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
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
	CodeUnsupportedEncoding = "sync_unsupported_encoding"
	CodeTooManyMutations    = "sync_too_many_mutations"
	CodeInvalidClient       = "sync_invalid_client"
	CodeClientTaken         = "sync_client_taken"
	CodeUnknownCollection   = "sync_unknown_collection"
	CodeInvalidLimit        = "sync_invalid_limit"
	CodeHistoryChanged      = "sync_history_changed"
	CodeInvalidPosition     = "sync_invalid_position"
	CodeInvalidParameter    = "sync_invalid_parameter"
	CodeInternal            = "sync_internal_error"

	CodeInvalidMutation  = "sync_invalid_mutation"
	CodeForbidden        = "sync_forbidden"
	CodeValidationFailed = "sync_validation_failed"
	CodeNotFound         = "sync_not_found"
	CodeRecordExists     = "sync_record_exists"
	CodeRetryLater       = "sync_retry_later"
)

// message is the localization seam: the message of code for the language
// of the request. The texts of every code live in the locale catalog
// (locale/catalog_project.go, English source), whose tests fail when a
// code has no message in one of the languages.
func message(e *core.RequestEvent, code string) string {
	return locale.CodeMessage(e, code)
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
	errEncoding     = fail(http.StatusUnsupportedMediaType, CodeUnsupportedEncoding)
	errTooMany      = fail(http.StatusBadRequest, CodeTooManyMutations)
	errClient       = fail(http.StatusBadRequest, CodeInvalidClient)
	errClientTaken  = fail(http.StatusForbidden, CodeClientTaken)
	errCollection   = fail(http.StatusBadRequest, CodeUnknownCollection)
	errLimit        = fail(http.StatusBadRequest, CodeInvalidLimit)
	// errHistory answers a push whose "seen" position is not in this
	// database's history (a restored backup): nothing is applied, and the
	// client pushes its recent mutations again first (docs/sync.md).
	errHistory  = fail(http.StatusConflict, CodeHistoryChanged)
	errPosition = fail(http.StatusBadRequest, CodeInvalidPosition)
	// errParameter answers a query parameter that is not one of its
	// documented values (brief).
	errParameter = fail(http.StatusBadRequest, CodeInvalidParameter)
	errInternal  = fail(http.StatusInternalServerError, CodeInternal)
	// errClientGone answers a request whose client left before it was
	// served (nginx's 499, "client closed request"): nobody reads it, and
	// the log shows no server failure.
	errClientGone = fail(statusClientClosed, CodeRetryLater)
)

const statusClientClosed = 499
