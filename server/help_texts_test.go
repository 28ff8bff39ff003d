package server_test

import (
	"encoding/json"
	"testing"

	"aman/internal/testapp"
)

// The dashboard's help under fields whose rules changed says what they do
// now, and the migration's down puts back the texts it found. (users.role's
// help changed again in 1795768000: TestMigrations_StaffRolesDown.)
func TestMigrations_HelpTexts(t *testing.T) {
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, "1795767700_help_texts.js")
	help := func(collection, field string) string {
		t.Helper()
		f := mustFind(t, app, collection).Fields.GetByName(field)
		if f == nil {
			t.Fatalf("%s.%s: no such field", collection, field)
		}
		raw, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Help string `json:"help"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out.Help
	}
	cases := []helpCase{
		{"incident_reports", "anonymous",
			"Hide the reporter from everyone but the reporter and superusers. The reporter may turn it on at any status, and off only while the report is submitted.",
			"Hide the reporter from everyone but superusers."},
		{"incident_reports", "occurred_at",
			"When it happened (UTC), as precisely as known. A time later than now is lowered to now.",
			"When it happened (UTC), as precisely as known."},
		{"users", "organization",
			"The aid organization the person works for; as an aid worker they handle the aid requests assigned to it. Only a coordinator or a superuser changes it.",
			""},
	}
	check := func(stage string, want func(c helpCase) string) {
		t.Helper()
		for _, c := range cases {
			if got := help(c.collection, c.field); got != want(c) {
				t.Errorf("%s: %s.%s help = %q, want %q", stage, c.collection, c.field, got, want(c))
			}
		}
	}
	now := func(c helpCase) string { return c.now }
	before := func(c helpCase) string { return c.before }
	check("migrated", now)
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	check("after down", before)
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	check("up again", now)
}

type helpCase struct{ collection, field, now, before string }
