// Package review serves the review screen at /review/: a small web app in
// which coordinators, editors and aid workers (role aid_worker: the people
// of the organization an aid request is assigned to) sign in as `users` and work through the ordinary REST API with the official
// PocketBase JS SDK. The screen has no endpoint of its own that reads or
// writes records, so the API rules and the privacy hook apply to its users
// exactly as to any other client. The one route besides the static files,
// GET /api/aman/review/messages, serves the screen's own strings in the
// request's language.
package review

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Path is where the screen is served.
const Path = "/review/"

//go:embed static
var embedded embed.FS

// Static holds the screen's files: index.html, the style sheet, the ES
// modules and the vendored PocketBase SDK.
var Static = mustSub(embedded, "static")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Errorf("review: %w", err))
	}
	return sub
}

// Register binds the screen's files and its strings to app.
func Register(app core.App) error {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "amanReview",
		Func: func(se *core.ServeEvent) error {
			// the redirect carries the screen's headers too, as the
			// documentation promises for every response under its name
			se.Router.GET("/review", func(e *core.RequestEvent) error {
				return e.Redirect(http.StatusMovedPermanently, Path)
			}).Bind(headers())
			se.Router.GET(Path+"{path...}", apis.Static(Static, false)).Bind(headers())
			se.Router.GET("/api/aman/review/messages", messagesHandler)
			return se.Next()
		},
	})
	return nil
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App) {
	if err := Register(app); err != nil {
		panic(err)
	}
}
