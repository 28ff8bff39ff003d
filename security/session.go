package security

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"aman/locale"
)

// CodeInvalidToken is the code of a request refused because its
// Authorization header carries a token the server no longer honours
// (expired, revoked by a password change, of a deleted account, forged).
// It is the sync API's code for the same condition (syncapi.CodeInvalidToken),
// so that a client sees one code for it on every route.
const CodeInvalidToken = "sync_invalid_token"

// StaleTokenMiddlewareId is the id of the middleware that refuses a token
// the server no longer honours, so that a route can opt out with Unbind.
const StaleTokenMiddlewareId = "amanStaleToken"

// staleTokenPriority runs the check after PocketBase loaded the token and
// after its rate limiter (a client retrying with a dead token is counted
// like any other), and before the body limits and the upload budget:
// nothing of a refused request's body is read, let alone applied.
const staleTokenPriority = apis.DefaultRateLimitMiddlewarePriority + 2

// tokenFree are the routes (their router patterns) that answer a request
// carrying a token PocketBase could not verify as before, as a guest's: the
// ways to sign in again, which a client whose SDK still holds the dead
// token must reach (the JS SDK sends its token with every request while it
// holds one); auth-refresh, whose own 401 is what clients test a session
// with; the health check; a file's download, whose access is its query's
// file token, not the header; and the realtime connection, which binds no
// account (its subscribe POST does, and is refused).
var tokenFree = map[string]bool{
	"GET /api/health":   true,
	"HEAD /api/health":  true,
	"GET /api/realtime": true,
	"GET /api/files/{collection}/{recordId}/{filename}":         true,
	"GET /api/oauth2-redirect":                                  true,
	"POST /api/oauth2-redirect":                                 true,
	"GET /api/collections/{collection}/auth-methods":            true,
	"POST /api/collections/{collection}/auth-refresh":           true,
	"POST /api/collections/{collection}/auth-with-password":     true,
	"POST /api/collections/{collection}/auth-with-oauth2":       true,
	"POST /api/collections/{collection}/request-otp":            true,
	"POST /api/collections/{collection}/auth-with-otp":          true,
	"POST /api/collections/{collection}/request-password-reset": true,
	"POST /api/collections/{collection}/confirm-password-reset": true,
	"POST /api/collections/{collection}/request-verification":   true,
	"POST /api/collections/{collection}/confirm-verification":   true,
	"POST /api/collections/{collection}/confirm-email-change":   true,
}

// staleToken refuses, with 401 sync_invalid_token, an API request that
// carries an Authorization header from which PocketBase loaded no account.
// PocketBase itself drops such a token and serves the request as a
// guest's: a list comes back empty (the rules filter a guest), a record
// 404, a create is judged as a signed-out one, a realtime subscription
// is a guest's. A client would take that for an empty queue or a missing
// record; told 401, it asks its person to sign in again.
//
// Routes outside /api/ (the dashboard's and the review screen's files)
// and the routes of tokenFree are not checked. A request without the
// header is a guest's, as before.
func staleToken() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       StaleTokenMiddlewareId,
		Priority: staleTokenPriority,
		Func: func(e *core.RequestEvent) error {
			if e.Auth != nil || e.Request.Header.Get("Authorization") == "" || !tokenChecked(e.Request) {
				return e.Next()
			}
			return e.JSON(http.StatusUnauthorized, map[string]any{
				"status":  http.StatusUnauthorized,
				"code":    CodeInvalidToken,
				"message": locale.CodeMessage(e, CodeInvalidToken),
				"data":    map[string]any{},
			})
		},
	}
}

// tokenChecked reports whether r's route refuses a token it cannot
// verify: every API route but those of tokenFree.
func tokenChecked(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	return !tokenFree[r.Pattern]
}
