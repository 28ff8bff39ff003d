package locale

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register binds the language and error middlewares, the check of realtime
// filters against the list's limits, the health check's message in the
// request's language, the /api/aman/labels
// and /api/aman/content routes, the localized user e-mails and the checks
// of translation groups to app.
func Register(app core.App) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(languageMiddleware())
		se.Router.Bind(errorsMiddleware())
		se.Router.Bind(healthMiddleware())
		se.Router.GET("/api/aman/labels", labelsHandler)
		se.Router.GET("/api/aman/content/{collection}", contentListHandler)
		se.Router.GET("/api/aman/content/{collection}/{key}", contentHandler)
		return se.Next()
	})
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id:       "amanLocaleSubscriptionFilters",
		Priority: -10, // before privacy's and security's subscribe hooks
		Func:     guardSubscriptionFilters,
	})
	bindMails(app)
	bindTranslationChecks(app)
	return nil
}
