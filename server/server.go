// Package server wires the Aman packages into a PocketBase app. main.go and
// the tests call the same Register, so what is tested is what runs.
package server

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"aman/accounts"
	"aman/changelog"
	"aman/locale"
	"aman/photos"
	"aman/privacy"
	"aman/review"
	"aman/security"
	"aman/syncapi"
	"aman/workflow"
)

// registrars lists every package's Register in the order they bind hooks.
var registrars = []struct {
	name string
	fn   func(core.App) error
}{
	{"locale", locale.Register},
	{"accounts", accounts.Register},
	{"security", security.Register},
	{"workflow", workflow.Register},
	{"changelog", changelog.Register},
	{"syncapi", syncapi.Register},
	{"photos", photos.Register},
	{"privacy", privacy.Register},
	{"review", review.Register},
}

// Register binds every Aman package to app.
func Register(app core.App) error {
	for _, r := range registrars {
		if err := r.fn(app); err != nil {
			return fmt.Errorf("register %s: %w", r.name, err)
		}
	}
	return nil
}
