package server_test

import (
	"strings"
	"testing"

	"aman/internal/testapp"
)

// The superuser's-resolution migration's down takes its clause off the
// conflicts' update rule, leaving the rule it found, and drops
// resolved_by_superuser; up again restores both.
func TestMigrations_ConflictsResolvedBySuperuserDown(t *testing.T) {
	const field = "resolved_by_superuser"
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, "1795768330_conflicts_resolved_by_superuser.js")
	state := func() (rule string, hasField bool) {
		t.Helper()
		c := mustFind(t, app, "sync_conflicts")
		if c.UpdateRule == nil {
			t.Fatal("the conflicts' update rule is superusers-only")
		}
		return *c.UpdateRule, c.Fields.GetByName(field) != nil
	}
	with, has := state()
	clause := " && (status != 'resolved' || " + field + " = '') && @request.body." + field + ":isset = false"
	if !has || !strings.HasSuffix(with, ")"+clause) {
		t.Fatalf("before down: field %v, rule %s", has, with)
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	without, has := state()
	if has || strings.Contains(without, field) || with != "("+without+")"+clause {
		t.Fatalf("after down: field %v, rule\n%s\nbefore:\n%s", has, without, with)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if again, has := state(); again != with || !has {
		t.Fatalf("after up again: field %v, rule\n%s\nbefore:\n%s", has, again, with)
	}
}
