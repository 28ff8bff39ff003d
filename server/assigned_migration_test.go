package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// The assigned-organization migration's down takes the aid workers' clauses
// off the aid requests' list, view and update rules, leaving the rules it
// found, puts back the dashboard help and makes the aid workers volunteers
// (the role leaves users.role's values); up again restores rules, help
// and role. The later migration that rewrites those clauses
// (1795767800_aid_worker_refinements.js) is reverted first and applied
// again last, as `migrate down` and `up` order them.
func TestMigrations_AssignedOrganizationDown(t *testing.T) {
	const file = "1795767600_assigned_organization.js"
	app := testapp.New(t)
	later := testapp.MigrationRunner(t, app, "1795767800_aid_worker_refinements.js")
	if reverted, err := later.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down of the later migration: %v %v", reverted, err)
	}
	runner := testapp.MigrationRunner(t, app, file)
	state := func() (rules [3]string, help string) { return aidRequestRules(t, app, "contact_phone") }
	const clause = "assigned_org = @request.auth.organization"
	with, helpWith := state()
	for i, r := range with {
		if !strings.Contains(r, clause) {
			t.Fatalf("rule %d lacks the members' clause: %s", i, r)
		}
	}
	roles := func() []string {
		t.Helper()
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			t.Fatal(err)
		}
		return users.Fields.GetByName("role").(*core.SelectField).Values
	}
	if got := roles(); !slices.Contains(got, "aid_worker") {
		t.Fatalf("roles: %v", got)
	}
	worker := core.NewRecord(mustFind(t, app, "users"))
	worker.SetEmail("worker@example.org")
	worker.SetPassword("a-long-password-1")
	worker.Set("role", "aid_worker")
	if err := app.Save(worker); err != nil {
		t.Fatal(err)
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	without, helpWithout := state()
	for i, r := range without {
		if strings.Contains(r, clause) || !strings.HasPrefix(with[i], "("+r+") || ") {
			t.Fatalf("rule %d after down:\n%s\nbefore:\n%s", i, r, with[i])
		}
	}
	if helpWithout != "How to reach them. Confidential: coordinators only." {
		t.Fatalf("help after down: %q", helpWithout)
	}
	if got := roles(); slices.Contains(got, "aid_worker") {
		t.Fatalf("roles after down: %v", got)
	}
	if got := fieldOf(t, app, "users", worker.Id, "role"); got != "volunteer" {
		t.Fatalf("an aid worker after down is %q, want a volunteer", got)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := roles(); !slices.Contains(got, "aid_worker") {
		t.Fatalf("roles after up again: %v", got)
	}
	again, helpAgain := state()
	if again != with || helpAgain != helpWith {
		t.Fatalf("after up again:\n%v\n%q\nbefore:\n%v\n%q", again, helpAgain, with, helpWith)
	}
	if _, err := later.Up(); err != nil {
		t.Fatalf("up again of the later migration: %v", err)
	}
}

// The refinements' down puts back the aid workers' clauses of
// 1795767600_assigned_organization.js (no test of the organization's
// `active`, no write while `open`, no acknowledged_at with the
// acknowledgement) and the notes' help, leaving the rest
// of each rule as it found it; up again restores the refined rules.
func TestMigrations_AidWorkerRefinementsDown(t *testing.T) {
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, "1795767800_aid_worker_refinements.js")
	state := func() (rules [3]string, help string) { return aidRequestRules(t, app, "notes") }
	const active = "@request.auth.organization.active = true"
	const whileOpen = "(status = 'open' || status = 'acknowledged'"
	const acknowledging = "(@request.body.acknowledged_at:changed = false || (status = 'open' && @request.body.status = 'acknowledged'))"
	with, helpWith := state()
	for i, r := range with {
		if strings.Count(r, active) != 1 {
			t.Fatalf("rule %d does not test the organization's active once: %s", i, r)
		}
	}
	if !strings.Contains(with[2], whileOpen) {
		t.Fatalf("the update rule lets no member write an open request: %s", with[2])
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	without, helpWithout := state()
	for i, r := range without {
		if strings.Contains(r, active) || strings.Contains(r, whileOpen) ||
			strings.NewReplacer(" && "+active, "", "status = 'open' || ", "", acknowledging, "@request.body.acknowledged_at:changed = false").Replace(with[i]) != r {
			t.Fatalf("rule %d after down:\n%s\nbefore:\n%s", i, r, with[i])
		}
	}
	if helpWithout != "Handling notes of coordinators and, while they work on the request, of the aid workers of the assigned organization." {
		t.Fatalf("help after down: %q", helpWithout)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	again, helpAgain := state()
	if again != with || helpAgain != helpWith {
		t.Fatalf("after up again:\n%v\n%q\nbefore:\n%v\n%q", again, helpAgain, with, helpWith)
	}
}

// aidRequestRules are the aid requests' list, view and update rules, and the
// dashboard's help under the text field helpField.
func aidRequestRules(t testing.TB, app core.App, helpField string) (rules [3]string, help string) {
	t.Helper()
	c := mustFind(t, app, "aid_requests")
	for i, r := range []*string{c.ListRule, c.ViewRule, c.UpdateRule} {
		if r == nil {
			t.Fatalf("aid_requests rule %d is superusers-only", i)
		}
		rules[i] = *r
	}
	f, _ := c.Fields.GetByName(helpField).(*core.TextField)
	if f == nil {
		t.Fatalf("%s is not a text field", helpField)
	}
	return rules, f.Help
}

func mustFind(t testing.TB, app core.App, name string) *core.Collection {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
