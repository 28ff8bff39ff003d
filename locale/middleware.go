package locale

import (
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Middleware ids, so that a route can opt out with Unbind.
const (
	LanguageMiddlewareId = "amanLocaleLanguage"
	ErrorsMiddlewareId   = "amanLocaleErrors"
)

const (
	// languagePriority runs the language middleware right after PocketBase
	// loads the auth token: the signed-in user's `language` is known, and
	// every handler (and the rate limiter, body limit… errors) comes after.
	languagePriority = apis.DefaultLoadAuthTokenMiddlewarePriority + 1

	// errorsPriority puts the error localizer outside every PocketBase
	// middleware, CORS and the activity logger included: the logs keep
	// PocketBase's English message and raw error, and panics recovered into
	// 500s are localized too. By the time the chain returns here, e.Auth
	// has been loaded on the same event.
	errorsPriority = apis.DefaultCorsMiddlewarePriority - 10
)

// languageMiddleware picks the request's language once, remembers it on the
// event and announces it with Content-Language (handlers serving content in
// another language overwrite the header). Vary tells caches that the same URL
// answers differently per Accept-Language and per account.
func languageMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       LanguageMiddlewareId,
		Priority: languagePriority,
		Func: func(e *core.RequestEvent) error {
			lang := resolve(e)
			e.Set(eventKey, lang)
			if localizedPath(e.Request.URL.Path) {
				h := e.Response.Header()
				h.Set("Content-Language", lang)
				h.Add("Vary", "Accept-Language")
			}
			return e.Next()
		},
	}
}

// errorsMiddleware localizes the error the handler chain returns before the
// router writes it, after giving a list request over PocketBase's search
// limits a code of its own (explainListLimit), and a realtime subscribe
// request PocketBase refused for its number of topics or a topic's length
// its reason on top (subscribeReason). Responses a handler wrote
// itself are not touched.
func errorsMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       ErrorsMiddlewareId,
		Priority: errorsPriority,
		Func: func(e *core.RequestEvent) error {
			err := e.Next()
			if err == nil {
				return nil
			}
			lang := FromRequest(e)
			h := e.Response.Header()
			if h.Get("Content-Language") == "" {
				h.Set("Content-Language", lang)
			}
			apiErr := explainListLimit(router.ToApiError(err))
			loc := LocalizeApiError(lang, apiErr)
			if reason, ok := subscribeReason(lang, e, apiErr); ok {
				out := *loc
				out.Message = reason
				return &out
			}
			return loc
		},
	}
}

// localizedPath reports whether responses under path are in a language:
// the JSON API, but not the files it serves nor the dashboard's assets.
func localizedPath(path string) bool {
	return strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/files/")
}
