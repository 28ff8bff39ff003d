// Package accounts keeps the invariant of user accounts that API rules
// cannot state: every account has a role, and an account created without
// one is a volunteer, the role with the least access.
//
// The default is set in the OnRecordCreate model hook, so it holds for
// self-signup, the dashboard, OAuth2 sign-ups and Go saves alike. Who may
// choose another role is the users collection's API rules' job
// (pb_migrations/1795766220_extend_users.js).
package accounts

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// UsersCollection is the auth collection of volunteers, coordinators and
// editors.
const UsersCollection = "users"

// Roles (users.role).
const (
	RoleVolunteer   = "volunteer"
	RoleCoordinator = "coordinator"
	RoleEditor      = "editor"
)

// Register binds the account hooks to app.
func Register(app core.App) error {
	app.OnRecordCreate(UsersCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanAccountsDefaultRole",
		Func: defaultRole,
	})
	return nil
}

func defaultRole(e *core.RecordEvent) error {
	if e.Record.GetString("role") == "" {
		e.Record.Set("role", RoleVolunteer)
	}
	return e.Next()
}
