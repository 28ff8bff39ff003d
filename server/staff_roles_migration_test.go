package server_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// Coordinators make volunteers and aid workers, never staff, and leave
// staff accounts alone; the migration's down gives them back what they
// had, rules and help text.
func TestMigrations_StaffRolesDown(t *testing.T) {
	app := newFixtureApp(t)
	runner := testapp.MigrationRunner(t, app, "1795768000_staff_roles_by_superusers.js")
	coord, err := app.FindRecordById("users", coordinator)
	if err != nil {
		t.Fatal(err)
	}
	users := func() *core.Collection { return mustFind(t, app, "users") }
	// mayPromote: may the coordinator make volunteer B an editor?
	mayPromote := func() bool {
		t.Helper()
		target, err := app.FindRecordById("users", volunteerB)
		if err != nil {
			t.Fatal(err)
		}
		info := &core.RequestInfo{Auth: coord, Method: "PATCH", Body: map[string]any{"role": "editor"}}
		ok, err := app.CanAccessRecord(target, info, users().UpdateRule)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	help := func() string {
		raw, _ := users().Fields.GetByName("role").(*core.SelectField)
		return raw.Help
	}
	const now = "Coordinators make people volunteers or aid workers; only a superuser makes someone a coordinator or an editor, or changes their account. New accounts without one become volunteers. An aid worker handles the aid requests assigned to their organization."
	const before = "Only a coordinator or a superuser changes it. New accounts without one become volunteers. An aid worker handles the aid requests assigned to their organization."
	if mayPromote() || help() != now {
		t.Fatalf("migrated: the coordinator may make an editor: %v; help %q", mayPromote(), help())
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	if !mayPromote() || help() != before {
		t.Fatalf("after down: the coordinator may make an editor: %v; help %q", mayPromote(), help())
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if mayPromote() || help() != now {
		t.Fatalf("up again: the coordinator may make an editor: %v; help %q", mayPromote(), help())
	}
}
