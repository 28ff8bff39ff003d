package security

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"
)

// reasonError is an answer of status whose one field error, on field, is
// its reason, and whose top-level message repeats it, so that the locale
// middleware localizes the top-level message as the field's (a client
// that shows only error.message shows why).
func reasonError(status int, field string, reason validation.Error) *router.ApiError {
	return router.NewApiError(status, reason.Error(), validation.Errors{field: reason})
}
