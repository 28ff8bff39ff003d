package server_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// dataModelMigrations are the migrations of the data model (issue 2), in
// the order they apply.
var dataModelMigrations = []string{
	"1795766200_create_organizations.js",
	"1795766210_create_districts.js",
	"1795766220_extend_users.js",
	"1795766230_create_appeals.js",
	"1795766240_create_incident_reports.js",
	"1795766250_create_aid_requests.js",
	"1795766260_create_updates.js",
	"1795766270_create_fact_checks.js",
	"1795766280_create_public_incidents.js",
	"1795766290_seed_appeal.js",
	"1795766300_seed_districts.js",
}

var dataModelCollections = []string{
	"organizations", "districts", "appeals", "incident_reports", "aid_requests",
	"updates", "fact_checks", "public_incidents",
}

// Every data model migration has a working down: reverting them all leaves
// PocketBase's own users collection and none of ours, and applying them
// again restores the collections and the seeds.
func TestMigrations_DownAndUpAgain(t *testing.T) {
	app := testapp.New(t)
	var list core.MigrationsList
	for _, m := range core.AppMigrations.Items() {
		if slices.Contains(dataModelMigrations, filepath.Base(m.File)) {
			list.Add(m)
		}
	}
	if got := len(list.Items()); got != len(dataModelMigrations) {
		t.Fatalf("found %d of the %d data model migrations", got, len(dataModelMigrations))
	}
	runner := core.NewMigrationsRunner(app, list)

	reverted, err := runner.Down(len(dataModelMigrations))
	if err != nil {
		t.Fatalf("down: %v", err)
	}
	if len(reverted) != len(dataModelMigrations) {
		t.Fatalf("reverted %v", reverted)
	}
	for _, name := range dataModelCollections {
		if _, err := app.FindCollectionByNameOrId(name); err == nil {
			t.Errorf("%s still exists after down", name)
		}
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatalf("users: %v", err)
	}
	if names := strings.Join(users.Fields.FieldNames(), ","); strings.Contains(names, "role") {
		t.Errorf("users fields after down: %s", names)
	}

	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	for _, name := range dataModelCollections {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			t.Errorf("%s missing after up: %v", name, err)
		}
	}
	if n, err := app.CountRecords("districts"); err != nil || n != 24 {
		t.Errorf("districts after up: %d, %v", n, err)
	}
	if _, err := app.FindFirstRecordByData("appeals", "slug", "civil-society-appeal-2021-04-30"); err != nil {
		t.Errorf("appeal after up: %v", err)
	}
}
