package security

import (
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// SmallBodyLimit bounds logins, e-mail flows and realtime subscriptions: a
// few short strings. 64 KiB leaves room for long OAuth2 codes.
//
// Every other route keeps PocketBase's limits: 32 MiB, plus the file fields'
// maximum sizes on record create/update, settings.batch.maxBodySize on
// /api/batch. The sync push route applies its own limit, with its localized
// sync_body_too_large error (package syncapi).
const SmallBodyLimit int64 = 64 << 10

// bodyLimits maps a route pattern (http.Request.Pattern, as the router
// registered it) to its limit.
var bodyLimits = map[string]int64{
	"POST /api/realtime": SmallBodyLimit,
}

func init() {
	for _, action := range []string{
		"auth-refresh", "auth-with-password", "auth-with-oauth2", "auth-with-otp",
		"request-otp", "request-password-reset", "confirm-password-reset",
		"request-verification", "confirm-verification",
		"request-email-change", "confirm-email-change",
	} {
		bodyLimits["POST /api/collections/{collection}/"+action] = SmallBodyLimit
	}
}

// bodyLimit applies bodyLimits. It runs right after PocketBase's global
// limit, so the smaller limit wins. A declared Content-Length over the limit
// is refused before anything is read; a chunked body is cut at the limit by
// PocketBase's reader, which fails the handler's body parsing with its
// plain 413 (apis.ErrRequestEntityTooLarge, "Request entity too large."),
// answered as body_too_large with the limit, as the first.
func bodyLimit() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "amanBodyLimit",
		Priority: apis.DefaultBodyLimitMiddlewarePriority + 1,
		Func: func(e *core.RequestEvent) error {
			limit, ok := bodyLimits[e.Request.Pattern]
			if !ok {
				return e.Next()
			}
			if e.Request.ContentLength > limit {
				return ErrBodyTooLarge(limit)
			}
			err := apis.BodyLimit(limit).Func(e)
			if errors.Is(err, apis.ErrRequestEntityTooLarge) {
				return ErrBodyTooLarge(limit)
			}
			return err
		},
	}
}

// ErrBodyTooLarge is the 413 answer for a body over limit bytes. Its data
// carries the stable code body_too_large and the limit, so a client can
// split its request instead of retrying it as is; its top-level message is
// that reason too, in the caller's language (reasonError).
func ErrBodyTooLarge(limit int64) *router.ApiError {
	return reasonError(http.StatusRequestEntityTooLarge, "body",
		validation.NewError("body_too_large", "The request body is larger than {{.limit}} bytes.").
			SetParams(map[string]any{"limit": limit}))
}
